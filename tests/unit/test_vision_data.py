"""Decoding shoppers' photos: every odd input is either normalised or refused clearly."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from stylist.vision.data import IMAGE_H, IMAGE_W, Vocab, decode_image, is_held_out
from stylist.vision.errors import ImageError


def _encode(img: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def test_catalog_sized_photo_is_kept_pixel_for_pixel(tmp_path: Path) -> None:
    img = Image.fromarray(np.random.default_rng(0).integers(0, 255, (80, 60, 3), dtype=np.uint8))
    path = tmp_path / "p.png"
    img.save(path)
    out = decode_image(path)
    assert out.shape == (IMAGE_H, IMAGE_W, 3) and out.dtype == np.uint8
    assert np.array_equal(out, np.asarray(img))
    assert np.array_equal(decode_image(path.read_bytes()), out)  # bytes and paths agree


def test_alpha_is_flattened_onto_white() -> None:
    rgba = np.zeros((80, 60, 4), dtype=np.uint8)
    rgba[20:60, 15:45] = (200, 0, 0, 255)  # an opaque red garment on a transparent background
    out = decode_image(_encode(Image.fromarray(rgba, "RGBA")))
    assert tuple(out[0, 0]) == (255, 255, 255)
    assert tuple(out[40, 30]) == (200, 0, 0)


def test_grayscale_and_palette_become_rgb() -> None:
    gray = decode_image(_encode(Image.new("L", (60, 80), 90)))
    assert gray.shape == (80, 60, 3) and (gray == 90).all()
    pal = Image.new("P", (60, 80), 0)
    pal.putpalette([10, 20, 30] + [0] * 765)
    assert tuple(decode_image(_encode(pal))[5, 5]) == (10, 20, 30)


def test_tiny_image_is_scaled_up_and_wide_image_is_padded_with_white() -> None:
    tiny = decode_image(_encode(Image.new("RGB", (4, 4), (0, 0, 255))))
    assert tiny.shape == (80, 60, 3)
    assert tuple(tiny[40, 30]) == (0, 0, 255)  # the square fills the width, centred
    assert tuple(tiny[0, 30]) == (255, 255, 255)  # white bands above and below
    wide = decode_image(_encode(Image.new("RGB", (300, 100), (0, 128, 0))))
    assert tuple(wide[40, 30]) == (0, 128, 0) and tuple(wide[2, 30]) == (255, 255, 255)


def test_very_large_jpeg_is_decoded_to_the_model_size() -> None:
    big = Image.new("RGB", (4000, 4000), (30, 60, 90))
    out = decode_image(_encode(big, "JPEG", quality=80))
    assert out.shape == (80, 60, 3)
    assert np.abs(out[40, 30].astype(int) - (30, 60, 90)).max() <= 3


def test_exif_rotation_is_applied() -> None:
    img = Image.new("RGB", (100, 50), (255, 0, 0))  # stored wide ...
    exif = Image.Exif()
    exif[0x0112] = 6  # ... but the camera says "rotate 90 degrees": it is really tall
    out = decode_image(_encode(img, "JPEG", exif=exif.tobytes()))
    # Tall (50x100 fitted into 60x80): width 40 centred, so columns 0-9 are padding.
    assert out[40, 2].min() > 240 and out[40, 30, 0] > 200 and out[40, 30, 1] < 40


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, this is not a picture", "not an image"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an image"),
    ],
)
def test_unusable_bytes_raise_image_error(data: bytes, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        decode_image(data)


def test_truncated_or_damaged_files_are_corrupt() -> None:
    noise = np.random.default_rng(1).integers(0, 255, (200, 200, 3), dtype=np.uint8)
    jpeg = _encode(Image.fromarray(noise), "JPEG")
    with pytest.raises(ImageError, match="corrupt"):
        decode_image(jpeg[: len(jpeg) // 2])
    png = _encode(Image.fromarray(noise), "PNG")
    with pytest.raises(ImageError, match="corrupt"):
        decode_image(png[:60] + b"\x00" * 200 + png[260:])


def test_limits_are_enforced_before_decoding(tmp_path: Path) -> None:
    data = _encode(Image.new("RGB", (100, 100)))
    with pytest.raises(ImageError, match="100x100 pixels; the limit is 5000 pixels"):
        decode_image(data, max_pixels=5_000)
    with pytest.raises(ImageError, match="the limit is 10"):
        decode_image(data, max_bytes=10)
    path = tmp_path / "big.png"
    path.write_bytes(data)
    with pytest.raises(ImageError, match="limit"):
        decode_image(path, max_bytes=10)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="cannot read"):
        decode_image(tmp_path / "nope.jpg")


def test_held_out_split_is_stable_and_about_ten_percent() -> None:
    ids = [str(i) for i in range(20_000)]
    first = [is_held_out(i) for i in ids]
    assert first == [is_held_out(i) for i in ids]
    assert 0.09 < sum(first) / len(ids) < 0.11
    assert sum(is_held_out(i, 0.3) for i in ids) / len(ids) > 0.28


def test_vocab_drops_labels_too_rare_to_learn() -> None:
    from stylist.catalog import Product

    def product(pid: str, article: str) -> Product:
        return Product(id=pid, title="t", gender="Men", category="Apparel", article_type=article,
                       colour="Blue", price=10.0, currency="INR", image="x.jpg")  # fmt: skip

    vocab = Vocab.build([product("1", "Shirts"), product("2", "Shirts"), product("3", "Kurtas")])
    assert vocab.labels["article_type"] == ["Shirts"]
    assert vocab.index("article_type", "Shirts") == 0
    assert vocab.index("article_type", "Kurtas") == -1
    assert vocab.labels["season"] == []  # no season given at all


def test_sample_photo_decodes_unchanged(tiny_catalog) -> None:
    path = next((tiny_catalog / "images").glob("*.jpg"))  # 60x80 JPEGs, as in the sample
    out = decode_image(path)
    assert out.shape == (80, 60, 3)
    assert np.array_equal(out, np.asarray(Image.open(path).convert("RGB")))


def test_one_image_check_for_uploads_and_for_the_model() -> None:
    """A shopper's upload and a photo the model decodes meet the same limits and formats."""
    from stylist.errors import InputRejected
    from stylist.limits import check_image
    from stylist.settings import Settings

    limit = Settings().max_image_bytes
    bmp = _encode(Image.new("RGB", (4, 4)), "BMP")
    big = _encode(Image.fromarray(np.random.default_rng(0).integers(0, 255, (1500, 1500, 3), dtype=np.uint8)))
    assert len(big) > limit
    for data, status, words in ((bmp, 415, "unsupported image format BMP"), (big, 413, f"the limit is {limit}"),
                                (b"", 400, "empty"), (b"not a photo", 415, "not an image")):  # fmt: skip
        with pytest.raises(InputRejected, match=words) as upload:
            check_image(data, limit)
        with pytest.raises(ImageError, match=words) as decoded:
            decode_image(data)
        assert upload.value.status == decoded.value.http_status == status
    ok = _encode(Image.new("RGB", (60, 80), (1, 2, 3)), "WEBP")
    assert check_image(ok, limit) == ok and decode_image(ok).shape == (IMAGE_H, IMAGE_W, 3)


def test_the_model_decodes_with_the_max_image_bytes_setting(tmp_path: Path) -> None:
    from stylist.settings import Settings
    from stylist.vision.backends import decode_for

    class Backend:
        input_size = (IMAGE_H, IMAGE_W)

    data = _encode(Image.new("RGB", (60, 80)))
    assert decode_for(Backend(), data, Settings(max_image_bytes=len(data))).shape == (IMAGE_H, IMAGE_W, 3)
    with pytest.raises(ImageError, match=f"the limit is {len(data) - 1}"):
        decode_for(Backend(), data, Settings(max_image_bytes=len(data) - 1))
