"""Import every module of the installed frontwire packages; exit 1 naming each that fails.

Run by .ci/check-deps from outside the source tree, in a fresh venv that installed the project
from its declared dependencies only: an import that needs an undeclared package fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback


def main() -> int:
    failed = 0
    count = 0
    for package in ("shared", "services"):
        root = importlib.import_module(package)
        if any("site-packages" not in p for p in root.__path__):
            print(f"import_all: {package} comes from {root.__path__}, not the installed copy")
            return 1
        for module in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            count += 1
            try:
                importlib.import_module(module.name)
            except Exception:
                failed += 1
                print(f"import_all: cannot import {module.name}:", file=sys.stderr)
                traceback.print_exc()
    print(f"import_all modules={count} failed={failed}")
    return 1 if failed or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
