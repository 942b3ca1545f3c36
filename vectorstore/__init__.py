"""The Chroma store of the shop's catalog and its ingestion.

``connect`` picks the embedded on-disk store or a Chroma server from the settings;
``ingest`` builds a new collection aside and switches to it atomically;
``active_collection`` returns the collection readers should use.
"""

from vectorstore.client import Embedder, active_collection, connect
from vectorstore.ingest import IngestReport, ingest

__all__ = ["Embedder", "IngestReport", "active_collection", "connect", "ingest"]
