"""Light and dark themes for the window *and* the plots.

pyqtgraph ignores the Qt palette, so a theme also recolours every plot: backgrounds, axes, titles,
legends, and the neutral "ink" colours labs use for guides and annotations. Labs draw in the light
theme's colours; :func:`adapt` maps a newly made plot item into the current theme, and
:func:`apply` maps everything already on screen from the old theme to the new one. Data colours
and the red theory colour read well on both backgrounds and are left alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    foreground: str
    legend_brush: tuple[int, int, int, int]
    inks: dict[str, str]  # light-theme neutral colour → this theme's


LIGHT_INKS = ("#000000", "#111111", "#222222", "#444444", "#555555", "#b0b0b0", "#cccccc",
              "#e4e4e4")
THEMES = {
    "light": Theme("light", "#ffffff", "#222222", (255, 255, 255, 210),
                   {c: c for c in LIGHT_INKS}),
    "dark": Theme("dark", "#1c1e22", "#dcdcdc", (36, 38, 43, 215),
                  dict(zip(LIGHT_INKS, ("#ffffff", "#f0f0f0", "#dcdcdc", "#c8c8c8", "#b4b4b4",
                                        "#5c5c5c", "#4a4a4a", "#33363b")))),
}
_current = THEMES["light"]


def current() -> Theme:
    return _current


def _palette(theme: Theme) -> QtGui.QPalette:
    if theme.name == "light":
        return QtWidgets.QApplication.style().standardPalette()
    role, group = QtGui.QPalette.ColorRole, QtGui.QPalette.ColorGroup
    p = QtGui.QPalette()
    colours = {role.Window: "#2b2d31", role.WindowText: "#e4e4e4", role.Base: "#1f2125",
               role.AlternateBase: "#2b2d31", role.ToolTipBase: "#33363b",
               role.ToolTipText: "#e4e4e4", role.Text: "#e4e4e4", role.Button: "#33363b",
               role.ButtonText: "#e4e4e4", role.BrightText: "#ff6b6b", role.Link: "#6ab0f3",
               role.Highlight: "#3d7cc9", role.HighlightedText: "#ffffff",
               role.PlaceholderText: "#8c8c8c", role.Mid: "#4a4d52", role.Dark: "#1a1b1e",
               role.Light: "#45484d", role.Midlight: "#3a3d42", role.Shadow: "#000000"}
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


def adapt(item) -> None:
    """Bring an item made in the light theme's colours into the current theme."""
    if _current.name != "light":
        _recolour(item, _current.inks, _current)


def apply(window: QtWidgets.QWidget, name: str) -> None:
    """Switch the application and every plot in ``window`` to theme ``name``."""
    global _current
    old, new = _current, THEMES[name]
    mapping = {old.inks[light]: new.inks[light] for light in LIGHT_INKS}
    _current = new
    app = QtWidgets.QApplication.instance()
    app.setStyle("Fusion")
    app.setPalette(_palette(new))
    pg.setConfigOptions(background=new.background, foreground=new.foreground)
    _recolour_views(window, mapping, new)


def adapt_widget(widget: QtWidgets.QWidget) -> None:
    """Bring plots built in the light theme's colours (a tab built later) into the current theme."""
    if _current.name != "light":
        _recolour_views(widget, _current.inks, _current)


def _recolour_views(root: QtWidgets.QWidget, mapping: dict[str, str], theme: Theme) -> None:
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(theme.background)
        for item in view.scene().items():
            _recolour(item, mapping, theme)
