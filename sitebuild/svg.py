"""Figures as safe SVG files: only drawing passes, checked by an XML parser against an allow-list.

A figure's SVG comes from the page's process, which runs the page's code: it is untrusted text. A
figure file is opened full size from its page, on the site's origin, so anything that could run or
fetch there is removed: elements outside DRAWING (`script`, `foreignObject`, `iframe`, animation, ...)
with everything inside them, attributes outside ATTRIBUTES (every `on*` handler among them), links
(`<a>` is unwrapped: its drawing stays), references that leave the file (an `href` must be `#id` or,
on `<image>`, an embedded PNG/JPEG; `url(...)` must be `url(#id)`), and CSS beyond plain properties.
No document type declaration is accepted (the text must start with `<svg`), so no entity is ever
expanded. A figure over LIMIT bytes fails with FigureError.

    clean, removed = sanitize(svg)  # removed: what was dropped, for a warning
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

LIMIT = 2 << 20  # bytes of SVG one figure may have (the site's largest is about 70 KB)
SVG, XLINK = "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"
DRAWING = {"svg", "g", "defs", "symbol", "use", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
           "text", "tspan", "image", "clipPath", "mask", "pattern", "marker", "linearGradient", "radialGradient",
           "stop", "style", "title", "desc"}
UNWRAP = {"a"}  # kept for their children (matplotlib's set_url), without the link
ATTRIBUTES = {
    "id", "class", "style", "transform", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "fx", "fy", "width", "height", "viewBox", "version", "points", "preserveAspectRatio", "clip-path", "clip-rule",
    "clipPathUnits", "mask", "maskUnits", "maskContentUnits", "fill", "fill-opacity", "fill-rule", "stroke",
    "stroke-width", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
    "stroke-dashoffset", "stroke-opacity", "opacity", "color", "display", "visibility", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "patternUnits", "patternContentUnits",
    "patternTransform", "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient", "marker-start",
    "marker-mid", "marker-end", "font-family", "font-size", "font-style", "font-weight", "text-anchor",
    "dominant-baseline", "letter-spacing", "dx", "dy", "rotate", "textLength", "lengthAdjust", "type",
    "href", f"{{{XLINK}}}href", "{http://www.w3.org/XML/1998/namespace}space",
}
LOCAL = re.compile(r"#[\w.:-]+")  # a reference inside the file
EMBEDDED = re.compile(r"data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]*")
URL = re.compile(r"url\(\s*([^)]*?)\s*\)", re.I)
CSS = re.compile(r"[\w\s*{}:;#.,%()/'\"+-]*")  # plain declarations: no @import, escapes or markup

ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)


class FigureError(ValueError):
    """A figure that cannot be published (too large, not SVG); the message says why."""


def _safe_css(text: str) -> bool:
    return bool(CSS.fullmatch(text)) and "@" not in text and all(LOCAL.fullmatch(u.strip("'\""))
                                                                 for u in URL.findall(text))


def _clean(element: ET.Element, removed: list[str]) -> None:
    """Clean `element`'s attributes and, recursively, its children (in place)."""
    local = element.tag.rpartition("}")[2]
    for name, value in list(element.attrib.items()):
        short = name.rpartition("}")[2]
        if name not in ATTRIBUTES:
            removed.append(f"attribute {short}")
        elif short == "href":
            if LOCAL.fullmatch(value) or (local == "image" and EMBEDDED.fullmatch(value)):
                continue
            removed.append(f"reference {value[:60]!r}")
        elif not _safe_css(value):
            removed.append(f"value {short}={value[:60]!r}")
        else:
            continue
        del element.attrib[name]
    if local == "style" and not _safe_css(element.text or ""):
        removed.append("a style sheet beyond plain declarations")
        element.text = ""
    children = list(element)
    for child in children:
        element.remove(child)
    for child in children:
        namespace, _, name = child.tag.rpartition("}")  # comments and processing instructions are not parsed
        if namespace != f"{{{SVG}" or name not in DRAWING | UNWRAP:
            removed.append(f"element <{name}>")
        elif name in UNWRAP:
            removed.append(f"link <{name}>")
            _clean(child, removed)
            if len(element):
                last = element[-1]
                last.tail = (last.tail or "") + (child.text or "")
            else:
                element.text = (element.text or "") + (child.text or "")
            element.extend(list(child))
        else:
            _clean(child, removed)
            element.append(child)


def check_size(svg: str, limit: int = LIMIT) -> None:
    size = len(svg.encode("utf-8", "replace"))
    if size > limit:
        raise FigureError(f"the figure is {size / 1e6:.1f} MB of SVG, over the limit of {limit / 1e6:.1f} MB: draw "
                          "fewer points, or rasterize the dense part (e.g. ax.scatter(..., rasterized=True))")


def sanitize(svg: str, limit: int = LIMIT) -> tuple[str, list[str]]:
    """(the SVG with only drawing in it, what was removed); FigureError if it cannot be published."""
    check_size(svg, limit)
    if not svg.lstrip().startswith("<svg"):  # no prolog, so no document type and no entity declarations
        raise FigureError("the figure is not an SVG document starting with <svg")
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as error:
        raise FigureError(f"the figure is not well-formed SVG: {error}") from error
    if root.tag != f"{{{SVG}}}svg":
        raise FigureError(f"the figure's root element is {root.tag}, not an SVG <svg>")
    removed: list[str] = []
    _clean(root, removed)
    return ET.tostring(root, encoding="unicode"), sorted(set(removed))
