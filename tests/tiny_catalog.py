"""A tiny catalog in the sample format (``styles.csv`` + ``images/``), written on demand.

Unit tests and the wheel check use it instead of the shared 13k-item sample: a dozen rows
across genders, categories and colours, each with a small JPEG photo.
"""

from __future__ import annotations

import csv
from pathlib import Path

HEADER = [
    "id", "gender", "masterCategory", "subCategory", "articleType", "baseColour",
    "season", "year", "usage", "productDisplayName",
]  # fmt: skip

ROWS = [
    ("15970", "Men", "Apparel", "Topwear", "Shirts", "Navy Blue", "Fall", "2011", "Casual", "Turtle Check Men Navy Blue Shirt"),
    ("39386", "Men", "Apparel", "Bottomwear", "Jeans", "Blue", "Summer", "2012", "Casual", "Peter England Men Party Blue Jeans"),
    ("59263", "Women", "Accessories", "Watches", "Watches", "Silver", "Winter", "2016", "Casual", "Titan Women Silver Watch"),
    ("21379", "Men", "Apparel", "Bottomwear", "Track Pants", "Black", "Fall", "2011", "Casual", "Manchester United Men Solid Black Track Pants"),
    ("53759", "Men", "Apparel", "Topwear", "Tshirts", "Grey", "Summer", "2012", "Casual", "Puma Men Grey T-shirt"),
    ("26960", "Women", "Apparel", "Topwear", "Shirts", "Purple", "Summer", "2012", "Casual", "Jealous 21 Women Purple Shirt"),
    ("29114", "Men", "Accessories", "Socks", "Socks", "Navy Blue", "Summer", "2012", "Casual", "Puma Men Pack of 3 Socks"),
    ("30805", "Men", "Apparel", "Topwear", "Shirts", "Green", "Summer", "2012", "Ethnic", "Fabindia Men Striped Green Shirt"),
    ("26961", "Women", "Apparel", "Topwear", "Kurtas", "Navy Blue", "Summer", "2012", "Ethnic", "Fabindia Women Navy Blue Cotton Kurta"),
    ("18653", "Women", "Footwear", "Shoes", "Heels", "Black", "Winter", "2015", "Party", "Catwalk Women Black Heels"),
    ("47957", "Women", "Accessories", "Bags", "Handbags", "Red", "Summer", "2012", "Casual", "Lino Perros Women Red Handbag"),
    ("12369", "Men", "Footwear", "Shoes", "Formal Shoes", "Brown", "Winter", "2016", "Formal", "Red Tape Men Brown Formal Shoes"),
]  # fmt: skip

COLOURS = {
    "Navy Blue": (20, 30, 90), "Blue": (40, 80, 200), "Silver": (190, 190, 200), "Black": (15, 15, 15),
    "Grey": (128, 128, 128), "Purple": (110, 40, 140), "Green": (30, 130, 60), "Red": (200, 30, 30),
    "Brown": (110, 70, 30),
}  # fmt: skip


def write_tiny_catalog(folder: Path) -> Path:
    """Write the tiny catalog (``styles.csv`` and one 60x80 JPEG per row) into ``folder``; return it."""
    from PIL import Image

    (folder / "images").mkdir(parents=True, exist_ok=True)
    with (folder / "styles.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    for row in ROWS:
        Image.new("RGB", (60, 80), COLOURS[row[5]]).save(folder / "images" / f"{row[0]}.jpg", format="JPEG")
    return folder


if __name__ == "__main__":
    import sys

    print(write_tiny_catalog(Path(sys.argv[1])))
