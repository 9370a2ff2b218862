"""An APNG frame blended over the canvas, composed as viewers compose it.

Why: Pillow (13.0) draws a frame whose blend op is OVER by pasting it with its own alpha as the mask.
Where the canvas under it is transparent that squares the frame's alpha and darkens its colour (alpha
90 became 32, full colour at most 88), while the APNG spec, and every browser, show the frame's own
pixels there. A face faded in over a transparent canvas was searched at a fraction of the contrast a
viewer shows, and came out uncovered though plainly recognisable (exit 0). Here Pillow is asked for the
frame's own pixels (blend op SOURCE) and the frame is composed over the canvas under it with
``Image.alpha_composite`` (Porter-Duff over, straight alpha), which is what the spec asks.
"""

from __future__ import annotations

from PIL import Image

from ..errors import UnseenError


def _partly_transparent_palette(im: Image.Image) -> bool:
    alpha = im.info.get("transparency")
    return im.mode == "P" and isinstance(alpha, bytes) and any(0 < a < 255 for a in alpha)


def load_frame(im: Image.Image) -> None:
    """Load the frame ``im`` was sought to (``Image.load``), composing an APNG frame blended OVER the
    canvas as the spec does. Frames with binary transparency (RGB or grey with a colour key, palettes of
    opaque and clear entries) paste the same either way and are left to Pillow; a palette frame with
    partly transparent entries cannot hold the composed colours, and is refused in one line."""
    prev = getattr(im, "_prev_im", None)
    if im.format != "PNG" or prev is None:
        im.load()
        return
    from PIL import PngImagePlugin  # here: importing unseen registers no Pillow plugin (``image_open``)

    if (getattr(im, "blend_op", None) != PngImagePlugin.Blend.OP_OVER
            or not getattr(im, "tile", None)):  # not an APNG frame blended over a canvas, or loaded already
        im.load()
        return
    if _partly_transparent_palette(im):
        raise UnseenError("APNG frames blended over the picture with partly transparent palette colours "
                          "are not read as viewers show them")
    if im.mode not in ("RGBA", "LA"):
        im.load()
        return
    under = Image.Image()._new(prev)  # the canvas this frame is drawn on (after the last disposal)
    im.blend_op = PngImagePlugin.Blend.OP_SOURCE  # Pillow keeps the frame's own pixels in its place
    try:
        im.load()
    finally:
        im.blend_op = PngImagePlugin.Blend.OP_OVER
    box = tuple(int(v) for v in im.dispose_extent)
    frame = im.crop(box).convert("RGBA")
    composed = Image.alpha_composite(under.crop(box).convert("RGBA"), frame)
    im.im.paste(composed.convert(im.mode).im, box)
