"""Light and dark themes for the window *and* the plots.

pyqtgraph ignores the Qt palette, so a theme also recolours every plot: backgrounds, axes, titles,
legends, and the neutral colours labs use for guides and annotations. Labs name those by role
(:class:`Ink`: ``pg.mkPen(Ink.GUIDE)``), never by a literal colour, and draw in the roles' light
colours; a theme says what each role looks like in it. :func:`adapt` maps a newly made plot item
into the current theme, and :func:`apply` maps everything already on screen from the old theme to
the new one, role by role. Data colours and the red theory colour read well on both backgrounds and
are left alone. The message banner takes its colours from the window palette's roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets


class Ink(StrEnum):
    """The neutral colour roles of plots; a role's value is its colour in the light theme."""

    MARKER = "#000000"  # the strongest line: "now" on a map
    STRONG = "#111111"  # a thick summary curve (the compute-optimal frontier)
    TEXT = "#222222"  # axes, titles, legend text
    NOTE = "#444444"  # read-outs and their guides
    GUIDE = "#555555"  # dotted guides, notes on empty views, "theory (dashed)" keys
    MUTED = "#999999"  # a secondary curve drawn thin (the uv model's NTK eigenvalue)
    FAINT = "#b0b0b0"  # many thin curves behind the mean (single runs)
    FRAME = "#cccccc"  # frames
    GRID = "#e4e4e4"  # the grid (opaque: a translucent grid cost ~25% of a repaint)


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    inks: dict[Ink, str]  # what each role looks like in this theme

    @property
    def foreground(self) -> str:
        return self.inks[Ink.TEXT]


THEMES = {
    "light": Theme("light", "#ffffff", {ink: ink.value for ink in Ink}),
    "dark": Theme(
        "dark",
        "#1c1e22",
        {
            Ink.MARKER: "#ffffff",
            Ink.STRONG: "#f0f0f0",
            Ink.TEXT: "#dcdcdc",
            Ink.NOTE: "#c8c8c8",
            Ink.GUIDE: "#b4b4b4",
            Ink.MUTED: "#7c7c7c",
            Ink.FAINT: "#5c5c5c",
            Ink.FRAME: "#4a4a4a",
            Ink.GRID: "#33363b",
        },
    ),
}
_current = THEMES["light"]


def current() -> Theme:
    return _current


def _palette(theme: Theme) -> QtGui.QPalette:
    if theme.name == "light":
        return QtWidgets.QApplication.style().standardPalette()
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    p = QtGui.QPalette()
    colours = {
        role.Window: "#2b2d31",
        role.WindowText: "#e4e4e4",
        role.Base: "#1f2125",
        role.AlternateBase: "#2b2d31",
        role.ToolTipBase: "#33363b",
        role.ToolTipText: "#e4e4e4",
        role.Text: "#e4e4e4",
        role.Button: "#33363b",
        role.ButtonText: "#e4e4e4",
        role.BrightText: "#ff6b6b",
        role.Link: "#6ab0f3",
        role.Highlight: "#3d7cc9",
        role.HighlightedText: "#ffffff",
        role.PlaceholderText: "#8c8c8c",
        role.Mid: "#4a4d52",
        role.Dark: "#1a1b1e",
        role.Light: "#45484d",
        role.Midlight: "#3a3d42",
        role.Shadow: "#000000",
    }
    for r, c in colours.items():
        p.setColor(r, QtGui.QColor(c))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QtGui.QColor("#7a7a7a"))
    return p


def _map_colour(colour: QtGui.QColor, mapping: dict[str, str]) -> QtGui.QColor | None:
    new = mapping.get(colour.name())
    if new is None:
        return None
    out = QtGui.QColor(new)
    out.setAlpha(colour.alpha())
    return out


def _map_pen(pen, mapping: dict[str, str]):
    if pen is None:
        return None
    pen = pg.mkPen(pen)
    colour = _map_colour(pen.color(), mapping)
    if colour is None:
        return None
    pen = QtGui.QPen(pen)
    pen.setColor(colour)
    return pen


def _recolour(item, mapping: dict[str, str], theme: Theme) -> None:
    """Map one plot item's neutral colours through ``mapping`` and its frame into ``theme``."""
    if isinstance(item, pg.PlotDataItem):
        pen = _map_pen(item.opts.get("pen"), mapping)
        if pen is not None:
            item.setPen(pen)
    elif isinstance(item, pg.InfiniteLine):
        pen = _map_pen(item.pen, mapping)
        if pen is not None:
            item.setPen(pen)
    elif isinstance(item, pg.TextItem):
        colour = _map_colour(item.color, mapping)
        if colour is not None:
            item.setColor(colour)
    elif isinstance(item, pg.AxisItem):
        tick = _map_pen(item.tickPen(), mapping) if item._tickPen is not None else None
        item.setPen(theme.foreground)
        item.setTextPen(theme.foreground)
        if tick is not None:  # the grid (see plots.make_plot)
            item.setTickPen(tick)
    elif isinstance(item, pg.LegendItem):
        item.setLabelTextColor(theme.foreground)
        for _, label in item.items:
            label.setText(label.text)
    elif isinstance(item, pg.LabelItem):
        item.setAttr("color", theme.foreground)
        item.setText(item.text)


def _mapping(old: Theme, new: Theme) -> dict[str, str]:
    return {old.inks[ink]: new.inks[ink] for ink in Ink}


def adapt(item) -> None:
    """Bring an item made in the light theme's colours into the current theme."""
    if _current.name != "light":
        _recolour(item, _mapping(THEMES["light"], _current), _current)


def apply(window: QtWidgets.QWidget, name: str) -> None:
    """Switch the application and every plot in ``window`` to theme ``name``."""
    global _current
    old, new = _current, THEMES[name]
    mapping = _mapping(old, new)
    _current = new
    app = QtWidgets.QApplication.instance()
    app.setStyle("Fusion")
    app.setPalette(_palette(new))
    pg.setConfigOptions(background=new.background, foreground=new.foreground)
    _recolour_views(window, mapping, new)
    for banner in window.findChildren(QtWidgets.QLabel, "banner"):
        banner.setStyleSheet(banner_style(banner.property("error") is True))


ALARM = "#d62728"  # what an error banner is tinted with


def _mix(a: QtGui.QColor, b: QtGui.QColor, f: float) -> str:
    """``a`` moved the fraction ``f`` towards ``b``."""
    return QtGui.QColor(
        *(round((1 - f) * x + f * y) for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))
    ).name()


def banner_style(error: bool) -> str:
    """The message banner's style sheet from the window palette's roles (a tint of the highlight,
    or of red for errors, over the base colour), so it follows the theme."""
    palette = QtWidgets.QApplication.instance().palette()
    base, text = (
        palette.color(QtGui.QPalette.ColorRole.Base),
        palette.color(QtGui.QPalette.ColorRole.Text),
    )
    tint = QtGui.QColor(ALARM) if error else palette.color(QtGui.QPalette.ColorRole.Highlight)
    ink = _mix(text, tint, 0.45 if error else 0.0)
    return (
        f"background: {_mix(base, tint, 0.12)}; color: {ink};"
        f" border: 1px solid {_mix(base, tint, 0.45)}; padding: 6px; border-radius: 4px;"
    )


def adapt_widget(widget: QtWidgets.QWidget) -> None:
    """Bring plots built in the light theme's colours (a tab built later) into the current theme."""
    if _current.name != "light":
        _recolour_views(widget, _mapping(THEMES["light"], _current), _current)


def _recolour_views(root: QtWidgets.QWidget, mapping: dict[str, str], theme: Theme) -> None:
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(theme.background)
        for item in view.scene().items():
            _recolour(item, mapping, theme)


def recolour_scene(scene, old: str, new: str) -> None:
    """Map the plots in ``scene`` from theme ``old``'s colours to theme ``new``'s, leaving the
    window and the current theme alone (a figure of the dark window is exported light)."""
    mapping = _mapping(THEMES[old], THEMES[new])
    for item in scene.items():
        _recolour(item, mapping, THEMES[new])
