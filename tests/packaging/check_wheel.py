"""Build the wheel, install it in a fresh venv outside the checkout, and use it like a shop would.

``make test`` runs this between the unit and the integration tier. It checks what only a non-editable
install shows: the prompts, chat template, weights, adapter and static files are package data; the
installed ``stylist`` (not the checkout) answers ``stylist --help``, ingests and searches a tiny
catalog with photos, and serves the app's ``/healthz``; nothing is written into the installed package.

To stay fast it installs no dependency: the fresh venv sees the project venv's site-packages through
a folder of links that leaves out the editable install (its ``.pth`` finder would map ``stylist`` back
to this checkout), and the check proves where ``stylist`` was imported from. No GPU, no network.

Usage: ``python tests/packaging/check_wheel.py [--keep]`` (from the project venv).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Top-level names of this project in site-packages: never linked into the fresh venv.
OWN = ("stylist", "vectorstore", "prompts")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    result = subprocess.run(cmd, text=True, capture_output=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"FAILED ({result.returncode}): {' '.join(map(str, cmd))}\n{result.stdout}\n{result.stderr}")
    return result


def build_wheel(dist: Path, src: Path) -> Path:
    """The wheel of this checkout's files (tracked and new, not ignored), built from a clean copy.

    A copy, so no stale ``build/`` folder of an earlier build can add removed files to the wheel. No
    build isolation: setuptools comes from the project venv, nothing is downloaded.
    """
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src)],
        cwd=dist)  # fmt: skip
    (wheel,) = dist.glob("stylist-*.whl")
    return wheel


def linked_site_packages(target: Path) -> Path:
    """A folder of links to the project venv's site-packages, without this project and without ``.pth`` files."""
    source = Path(sysconfig.get_paths()["purelib"])
    target.mkdir()
    for entry in source.iterdir():
        name = entry.name
        own = name.split("-")[0].split(".")[0] in OWN or name.startswith("__editable__")
        if own or name.endswith(".pth") or name == "__pycache__":
            continue
        (target / name).symlink_to(entry)
    return target


def fresh_venv(folder: Path, wheel: Path, deps: Path) -> tuple[Path, Path]:
    """A venv outside the checkout with the wheel installed; returns (its bin folder, its site-packages)."""
    base = getattr(sys, "_base_executable", sys.executable)
    run([base, "-m", "venv", "--without-pip", str(folder)])
    python = folder / "bin" / "python"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ]
    )
    site = Path(
        run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    )
    (site / "zz_project_deps.pth").write_text(f"{deps}\n")  # appended after the venv's own site-packages
    return folder / "bin", site


def tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="stylist-wheel-"))
    assert not tmp.is_relative_to(ROOT)
    try:
        dist = tmp / "dist"
        dist.mkdir()
        wheel = build_wheel(dist, tmp / "src")
        bin_dir, site = fresh_venv(tmp / "venv", wheel, linked_site_packages(tmp / "deps"))
        python, stylist = bin_dir / "python", bin_dir / "stylist"
        work = tmp / "work"
        work.mkdir()
        sys.path.insert(0, str(ROOT))
        from tests.tiny_catalog import ROWS, write_tiny_catalog

        catalog = write_tiny_catalog(tmp / "catalog")
        env = {
            key: value for key, value in os.environ.items()
            if not key.startswith(("STYLIST_", "PYTHON", "VIRTUAL_ENV"))
        }  # fmt: skip
        env.update(
            STYLIST_DATA_DIR=str(tmp / "data"),
            STYLIST_CATALOG_PATH=str(catalog),
            STYLIST_LLM_URL=f"http://127.0.0.1:{free_port()}/v1",  # nothing listens: no model is started
            HF_HUB_OFFLINE="1",
            TRANSFORMERS_OFFLINE="1",
            ANONYMIZED_TELEMETRY="False",
            PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        )
        installed = tree(site)
        for name in ("prompts/system.md", "prompts/chat_template.jinja", "stylist/static/widget.js"):
            assert name in installed, f"{name} is not in the wheel"
        for folder in ("stylist/vision/weights", "stylist/trends/weights"):
            assert any(n.startswith(folder + "/") for n in installed), f"{folder} is not in the wheel"
        assert any("/adapter/adapter_model.safetensors" in n for n in installed), (
            "the adapter is not in the wheel"
        )

        # 1. The imported code is the wheel's, not this checkout's.
        probe = (
            "import sys, json, stylist, prompts, vectorstore, stylist.cli; from stylist.settings import Settings; "
            "print(json.dumps({'files': [m.__file__ for m in (stylist, prompts, vectorstore)], "
            "'template': str(Settings().llm_chat_template), "
            "'editable': [m for m in sys.modules if 'editable' in m]}))"
        )
        seen = json.loads(run([str(python), "-c", probe], cwd=work, env=env).stdout)
        for path in [*seen["files"], seen["template"]]:
            assert Path(path).is_relative_to(site), f"{path} does not come from the fresh venv ({site})"
        assert not seen["editable"], f"the editable finder was imported: {seen['editable']}"
        assert Path(seen["template"]).is_file()
        # Without STYLIST_DATA_DIR an installed package keeps its data in the user's data folder.
        bare = {k: v for k, v in env.items() if k != "STYLIST_DATA_DIR"} | {"XDG_DATA_HOME": str(tmp / "xdg")}
        probe = "from stylist.settings import Settings; print(Settings().data_dir)"
        data_dir = Path(run([str(python), "-c", probe], cwd=work, env=bare).stdout.strip())
        assert data_dir == tmp / "xdg" / "stylist", f"default data folder {data_dir}, not the user's"

        # 2. The command line.
        assert "search" in run([str(stylist), "--help"], cwd=work, env=env).stdout
        report = run([str(stylist), "ingest"], cwd=work, env=env).stdout
        print(report.strip().splitlines()[-1] if report.strip() else "(no output)")
        out = run(
            [str(stylist), "search", "navy shirt for men", "--k", "3", "--json"], cwd=work, env=env
        ).stdout
        results = json.loads(out)
        items = results if isinstance(results, list) else results.get("products") or results.get("results")
        assert items, f"no results: {out}"
        assert all(item.get("gender") in ("Men", "Unisex") for item in items), items
        assert items[0]["id"] == "15970", items  # the navy shirt for men of the tiny catalog
        assert len(ROWS) >= len(items)

        # 3. The app (app.py is wiring, not package code: a copy outside the checkout runs on the wheel).
        app_py = work / "app.py"
        shutil.copy(ROOT / "app.py", app_py)
        port = free_port()
        log = (tmp / "app.log").open("w")
        proc = subprocess.Popen([str(python), str(app_py)], cwd=work, stdout=log, stderr=subprocess.STDOUT,
                                env={**env, "STYLIST_PORT": str(port)})  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 300
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                        health = json.loads(response.read())
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        sys.exit(f"FAILED: the app did not serve /healthz:\n{(tmp / 'app.log').read_text()}")
                    time.sleep(0.5)
            assert health == {"status": "ok"}, health
            with urllib.request.urlopen(f"{url}/widget.js", timeout=10) as response:
                assert response.status == 200
            print(f"+ app: /healthz {health}, /widget.js served", flush=True)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()

        # 4. Nothing was written into the installed package.
        added = tree(site) - installed
        assert not added, f"written into the installed package: {sorted(added)[:10]}"
        print(f"wheel check passed in {time.monotonic() - started:.0f} s ({wheel.name})")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
