"""Trend forecasting, named catalog trends and the fashion-text classifier.

Modules: :mod:`.data` (reading series files), :mod:`.forecast` (the forecaster),
:mod:`.named` (trends derived from the catalog), :mod:`.charts` (Plotly charts),
:mod:`.classifier` (text to taxonomy), :mod:`.store` (the Chroma trend collection),
:mod:`.service` (what the agent calls).
"""
