#!/usr/bin/env python3
"""The command line end to end on a generated crawl: time, peak memory, and a run killed halfway.

    python3 bench/cli.py                               # 560,000 pages: a 1.0 GB .jsonl.gz
    python3 bench/cli.py --scale 50000 --commands clean learn dedup

The input is ``../shared/tools/make_crawl.py --scale N`` piped through ``gzip -6`` (cached in
--cache; the script exits with a message when ../shared is absent). Each command runs as its
own process (``python -m newsclean ...``, output to a .jsonl.gz); its peak resident memory is
the kernel's (``wait4`` rusage ``ru_maxrss``) and the time is wall-clock. Then ``clean`` is
started again and killed with SIGKILL once its temporary output is half the size of the
finished one: the bench checks that no file appears under the output's name.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKE_CRAWL = ROOT.parent / "shared" / "tools" / "make_crawl.py"


def generate(scale: int, cache: Path) -> Path:
    path = cache / f"crawl-{scale}.jsonl.gz"
    if path.exists():
        return path
    if not MAKE_CRAWL.is_file():
        raise SystemExit(f"error: {MAKE_CRAWL} is not there: this benchmark needs ../shared/tools/make_crawl.py")
    cache.mkdir(parents=True, exist_ok=True)
    part = path.with_suffix(".part")
    print(f"generating {path} ...", flush=True)
    with open(part, "wb") as out:
        gen = subprocess.Popen([sys.executable, str(MAKE_CRAWL), "--scale", str(scale)], stdout=subprocess.PIPE)
        gz = subprocess.run(["gzip", "-6"], stdin=gen.stdout, stdout=out, check=True)
        gen.wait()
        if gen.returncode or gz.returncode:
            raise SystemExit("error: generating the crawl failed")
    part.rename(path)
    return path


def run(cmd: list[str]) -> tuple[int, float, int, str]:
    """(exit status, seconds, peak RSS in bytes, standard error) of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t0, usage.ru_maxrss * 1024, err


def killed_halfway(cmd: list[str], out: Path, final_size: int) -> str:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    tmp = None
    while proc.poll() is None:
        tmps = [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.") and p.name.endswith(".tmp")]
        if tmps and tmps[0].stat().st_size >= final_size // 2:
            tmp = tmps[0]
            break
        time.sleep(0.2)
    if tmp is None:
        return "the run finished before it could be killed"
    size = tmp.stat().st_size
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ok = not out.exists()
    tmp.unlink()
    return f"killed at {size / 1e6:,.0f} MB of {final_size / 1e6:,.0f} MB written: output file {'absent (ok)' if ok else 'PRESENT (bad)'}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=560_000, help="pages to generate (560,000: about 1.0 GB gzipped)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/newsclean-bench"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--commands", nargs="+", default=["clean"], choices=["clean", "learn", "dedup"])
    ap.add_argument("--no-kill", action="store_true", help="skip the killed-halfway run")
    args = ap.parse_args()

    src = generate(args.scale, args.cache)
    work = args.cache / "out"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"input {src}: {src.stat().st_size / 1e9:.2f} GB gzipped, {args.scale:,} pages; "
          f"{args.threads} threads; load average at start {os.getloadavg()[0]:.2f}", flush=True)
    print(f"\n{'command':<8} {'seconds':>9} {'pages/s':>9} {'peak RSS':>10}  summary")
    for command in args.commands:
        out = work / ("profile.ncprof" if command == "learn" else f"{command}.jsonl.gz")
        cmd = [sys.executable, "-m", "newsclean", command, str(src), "-o", str(out), "--num-threads", str(args.threads)]
        if command == "learn":
            cmd += ["--site-field", "site"]
        code, seconds, rss, err = run(cmd)
        if code != 0:
            raise SystemExit(f"error: {' '.join(cmd)} exited with {code}:\n{err}")
        total = next((ln for ln in err.splitlines() if ln.startswith("total:")), "")
        print(f"{command:<8} {seconds:>9.1f} {args.scale / seconds:>9,.0f} {rss / 2**20:>7,.0f} MiB  {total}", flush=True)
        if command == "clean" and not args.no_kill:
            final = out.stat().st_size
            out.unlink()
            print(f"         {killed_halfway(cmd, out, final)}", flush=True)
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
