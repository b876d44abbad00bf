"""The README's Python API examples, run verbatim."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def api_blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_readme_api_examples_run(tmp_path, monkeypatch, capsys):
    blocks = api_blocks()
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    out = capsys.readouterr().out
    assert "physlab:collapse?" in out and (tmp_path / "eos.npz").is_file()
