"""The functions' package carries bytecode the read-only Lambda runtime can load as is."""

from __future__ import annotations

import importlib.util
import zipfile

from deploy.package import add_bytecode
from deploy.policies import FUNCTIONS


def test_each_module_gets_an_unchecked_hash_pyc_and_nothing_else_changes(tmp_path):
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w") as made:
        made.writestr("app.py", "VALUE = 41 + 1\n")
        made.writestr("pkg/__init__.py", "")
        made.writestr("pkg/broken_for_another_python.py", "print 'py2'\n")
        made.writestr("data/schema.json", "{}")
    assert add_bytecode(archive) == 2
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist())
        pyc = opened.read("__pycache__/app.cpython-311.pyc")
        assert opened.read("data/schema.json") == b"{}"
    assert {"app.py", "pkg/__init__.py", "pkg/__pycache__/__init__.cpython-311.pyc",
            "pkg/broken_for_another_python.py", "data/schema.json"} <= names
    assert not [n for n in names if "broken_for_another_python.cpython" in n]
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01   # hash-based, not checked


def test_the_stacks_function_code_is_the_package_with_its_bytecode(dev):
    code = dev.template["Resources"][FUNCTIONS["api_handler"]]["Properties"]["CodeUri"]
    [asset] = [p for p in dev.assembly.glob("asset.*.zip") if code["Key"] in p.name]
    with zipfile.ZipFile(asset) as opened:
        names = set(opened.namelist())
    assert "app.py" in names and "__pycache__/app.cpython-311.pyc" in names
    assert "chalicelib/__pycache__/records.cpython-311.pyc" in names
