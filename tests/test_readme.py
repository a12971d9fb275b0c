"""Every ```python block of README.md runs as written, from the repository root."""

from __future__ import annotations

import re

import pytest
from conftest import REPO_ROOT

README = REPO_ROOT / "README.md"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[int, str]]:
    text = README.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in FENCE.finditer(text)]


def test_readme_has_python_examples():
    assert python_blocks(), "README.md has no ```python block"


# The README's snippet reads a file with a bare open(...).read(), which is fine in a snippet
# but leaks the handle: ignore that ResourceWarning (pyproject makes warnings errors).
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize(("line", "code"), python_blocks(), ids=lambda v: f"line{v}" if isinstance(v, int) else "")
def test_readme_block_runs(line, code, monkeypatch, capsys):
    monkeypatch.chdir(REPO_ROOT)
    compiled = compile(code, f"{README}:{line}", "exec")
    exec(compiled, {"__name__": "__readme__"})  # noqa: S102 - the README's own examples
    capsys.readouterr()  # the blocks print; the output is not checked here
