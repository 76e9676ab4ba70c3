"""Pixel data as numpy arrays; pydicom's ``pixels`` functions are exported here."""

from lazydcm.pixels._compat import apply_windowing, iter_pixels, pixel_array
from lazydcm.pixels._set import set_pixel_data
from lazydcm.pixels.lut import apply_modality_lut, apply_voi_lut, convert_color_space

__all__ = [
    "apply_modality_lut",
    "apply_voi_lut",
    "apply_windowing",
    "convert_color_space",
    "iter_pixels",
    "pixel_array",
    "set_pixel_data",
]
