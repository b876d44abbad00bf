"""Before the app starts (``make run``): can Qt's X11 platform plugin load? On a fresh Linux
machine it often cannot — ``libqxcb.so`` needs system libraries (``libxcb-cursor0``,
``libxcb-icccm4``, …) that pip does not install — and Qt then aborts with a message about
plugins. This check asks ``ldd`` which of the plugin's libraries are missing and prints the one
command that installs them (Debian/Ubuntu and Fedora package names). It imports no Qt, so it runs
even where Qt would abort; it also says so when there is no display to open a window on. It says
nothing and succeeds where the check does not apply (not Linux, another platform plugin chosen, a
Wayland session, no ``ldd``).

    python -m physlab.gui.qt_libs    # status 0: fine; 1: libraries missing (message on stderr)
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# shared library → (Debian/Ubuntu package, Fedora package): what Qt 6's xcb plugin links to
PACKAGES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-xinput.so.0": ("libxcb-xinput0", "libxcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libSM.so.6": ("libsm6", "libSM"),
    "libICE.so.6": ("libice6", "libICE"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
}


NO_DISPLAY = (
    "physlab cannot open its window: there is no X display (DISPLAY is not set). Start "
    "it from a desktop session, or under a virtual display: xvfb-run -a make run"
)


def xcb_plugin() -> Path | None:
    """PySide6's X11 platform plugin (None if PySide6 or the plugin is not installed)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    plugin = Path(list(spec.submodule_search_locations)[0]) / "Qt/plugins/platforms/libqxcb.so"
    return plugin if plugin.is_file() else None


def missing_libraries(ldd_output: str) -> list[str]:
    """The libraries ``ldd`` reports as ``… => not found``, once each, in its order."""
    found = [
        line.split("=>")[0].strip()
        for line in ldd_output.splitlines()
        if line.strip().endswith("not found")
    ]
    return list(dict.fromkeys(found))


def message(missing: list[str]) -> str:
    """What to tell the user: which libraries are missing and the command that installs them."""
    debian = list(dict.fromkeys(PACKAGES[lib][0] for lib in missing if lib in PACKAGES))
    fedora = list(dict.fromkeys(PACKAGES[lib][1] for lib in missing if lib in PACKAGES))
    unknown = [lib for lib in missing if lib not in PACKAGES]
    lines = [
        "physlab cannot open its window: Qt's X11 platform plugin needs system libraries "
        "that are not installed:",
        "    " + ", ".join(missing),
        "",
    ]
    if debian:
        lines += [
            "Install them with (Debian / Ubuntu)",
            "    sudo apt-get install -y " + " ".join(debian),
            "or (Fedora)",
            "    sudo dnf install -y " + " ".join(fedora),
        ]
    if unknown:
        lines.append(
            "and find the package that provides "
            + ", ".join(unknown)
            + " (apt-file search / dnf provides)"
        )
    lines += ["then run `make run` again."]
    return "\n".join(lines)


def applies(env: dict) -> bool:
    """Whether Qt will use the xcb plugin here."""
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.split(":")[0] == "xcb"
    return sys.platform.startswith("linux") and not env.get("WAYLAND_DISPLAY")


def main() -> int:
    plugin, ldd = xcb_plugin(), shutil.which("ldd")
    if not applies(dict(os.environ)) or plugin is None or ldd is None:
        return 0
    result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False)
    missing = missing_libraries(result.stdout)
    if missing:
        print(message(missing), file=sys.stderr)
        return 1
    if not os.environ.get("DISPLAY"):
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
