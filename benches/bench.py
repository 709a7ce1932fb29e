#!/usr/bin/env python3
"""The sops-rs vs sops benchmark (run by benches/compare.sh, i.e. `make bench`).

Every measurement is a whole process (or a whole batch of processes) started
with posix_spawn and reaped with wait4, which gives the wall time and the CPU
time (user + system). Peak RSS is measured apart, by /usr/bin/time -v on one
more run of each command (a child spawned from Python would inherit the
interpreter's high-water mark across exec; /usr/bin/time is small). sops and
sops-rs run alternately, round after round, on the very same input files, so
that both see the same machine load; the table gives the median of the rounds,
the spread (min-max) and the ratio of the medians (sops / sops-rs: above 1 means
sops-rs is faster).

Cases (BENCH_CASES selects, default all):
  small     decrypt a small age file (start-up dominated)
  yaml      encrypt and decrypt YAML of BENCH_SIZES leaves (default 1k 10k 100k 1M)
  formats   JSON and dotenv encrypt/decrypt at 100k leaves
  many      filestatus over BENCH_FILES files (default 5000): sops filestatus per
            file vs sops-rs filestatus per file, and the sops-rs pre-commit guard
            over all of them in one process (sops has no guard)
  kms       BENCH_KMS_FILES files (default 500), each with its own data key
            wrapped by the same AWS KMS key (moto on 127.0.0.1): one sops -d per
            file vs one `sops-rs decrypt --output-dir`; the same with 500 copies of
            one file (one wrapped key: the key cache); one sops updatekeys -y per
            file vs one `sops-rs updatekeys --recursive -y`
Writes benches/out/results.json and prints the tables (Markdown).
"""
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "benches", "out")
SOPS = os.environ["BENCH_SOPS"]
OURS = os.environ["BENCH_SOPS_RS"]
VENV_PY = os.path.join(ROOT, ".venv", "bin", "python")
KEY = os.path.join(ROOT, "examples", "demo.agekey")
RECIPIENT = [l.split(": ", 1)[1].strip() for l in open(KEY) if l.startswith("# public key: ")][0]
CASES = os.environ.get("BENCH_CASES", "small yaml formats many kms").split()
SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "1000 10000 100000 1000000").split()]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SMALL_RUNS = int(os.environ.get("BENCH_SMALL_RUNS", "200"))
FILES = int(os.environ.get("BENCH_FILES", "5000"))
KMS_FILES = int(os.environ.get("BENCH_KMS_FILES", "500"))
BASE_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "HOME": os.path.join(OUT, "home"),
    "SOPS_AGE_KEY_FILE": KEY,
    "SOPS_DISABLE_VERSION_CHECK": "1",
    "LANG": "C.UTF-8",
}

results = []
notes = []

# Sends the KMS Decrypt requests of a set of sops files straight to moto, CONCURRENCY
# at a time over keep-alive connections, with one signature reused (moto does not check
# it): the time moto itself needs to answer them, the floor for any client.
MOTO_FLOOR = r"""
import base64, http.client, json, re, sys, threading, time
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.auth import SigV4Auth
port, concurrency, files = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
blobs = []
for f in files:
    m = re.search(r"^\s+kms:\n(?:.*\n)*?\s+enc: (\S+)$", open(f).read(), re.M)
    blobs.append(m.group(1))
creds = botocore.session.get_session().get_credentials()
req = AWSRequest("POST", "http://127.0.0.1:%d/" % port, data=b"{}",
                 headers={"X-Amz-Target": "TrentService.Decrypt",
                          "Content-Type": "application/x-amz-json-1.1"})
SigV4Auth(creds, "kms", "us-east-1").add_auth(req)
headers = dict(req.headers.items())
todo = list(enumerate(blobs))
lock = threading.Lock()
def worker():
    conn = http.client.HTTPConnection("127.0.0.1", port)
    while True:
        with lock:
            if not todo:
                return
            _, blob = todo.pop()
        conn.request("POST", "/", json.dumps({"CiphertextBlob": blob}), headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200 or b"Plaintext" not in body:
            sys.exit("moto answered %d: %r" % (r.status, body[:200]))
start = time.perf_counter()
threads = [threading.Thread(target=worker) for _ in range(concurrency)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(time.perf_counter() - start)
"""


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def spawn(argv, env, stdout=None, cwd=None):
    """Runs argv to completion: (wall seconds, cpu seconds, peak RSS KiB, exit status)."""
    out = open(stdout or os.devnull, "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [
        (os.POSIX_SPAWN_DUP2, devnull, 0),
        (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
        (os.POSIX_SPAWN_DUP2, devnull, 2),
    ]
    old = os.getcwd()
    if cwd:
        os.chdir(cwd)
    try:
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, ru = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    finally:
        os.chdir(old)
        os.close(devnull)
        out.close()
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, os.waitstatus_to_exitcode(status)


def run_ok(argv, env, stdout=None, cwd=None):
    r = spawn(argv, env, stdout, cwd)
    if r[3] != 0:
        sys.exit("bench: %s exited with %d" % (" ".join(argv), r[3]))
    return r


class Sample:
    def __init__(self):
        self.wall, self.cpu, self.rss = [], [], []

    def add(self, wall, cpu, rss):
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.rss.append(rss)

    def summary(self):
        return {
            "runs": len(self.wall),
            "wall_median": statistics.median(self.wall),
            "wall_min": min(self.wall),
            "wall_max": max(self.wall),
            "cpu_median": statistics.median(self.cpu),
            "cpu_min": min(self.cpu),
            "rss_max_kib": max(self.rss),
        }


def peak_rss(argv, env, cwd=None):
    """KiB, from /usr/bin/time -v (one extra run)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    for line in p.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.rsplit(":", 1)[1])
    sys.exit("bench: no RSS from /usr/bin/time for %s" % " ".join(argv))


def compare(name, sops_cmd, ours_cmd, rounds, sops_rounds=None, prepare=None, rss=None,
            reuse_sops=None):
    """Alternates the two commands. A command is a function returning (wall, cpu, rss);
    rss = (sops argv, sops-rs argv, env, cwd) measured by peak_rss, one command each.
    reuse_sops: the sops sample of an earlier row (same sops command, not run again)."""
    sops_rounds = rounds if sops_rounds is None else sops_rounds
    s, o = Sample(), Sample()
    if reuse_sops is not None:
        s, sops_rounds = reuse_sops, 0
    for i in range(rounds):
        if i < sops_rounds:
            if prepare:
                prepare()
            s.add(*sops_cmd())
        if prepare:
            prepare()
        o.add(*ours_cmd())
    if rss:
        sops_argv, ours_argv, env, cwd = rss
        if prepare:
            prepare()
        if reuse_sops is None:
            s.rss = [peak_rss(sops_argv, env, cwd)]
        if prepare:
            prepare()
        o.rss = [peak_rss(ours_argv, env, cwd)]
    row = {"case": name, "sops": s.summary(), "sops_rs": o.summary(), "sample": s}
    row["ratio"] = row["sops"]["wall_median"] / row["sops_rs"]["wall_median"]
    row["rss_ratio"] = row["sops"]["rss_max_kib"] / max(row["sops_rs"]["rss_max_kib"], 1)
    results.append(row)
    log("  %-34s sops %9.1f ms  sops-rs %8.1f ms  %6.1fx  RSS %6.1f / %5.1f MiB" % (
        name, s.summary()["wall_median"] * 1000, o.summary()["wall_median"] * 1000,
        row["ratio"], row["sops"]["rss_max_kib"] / 1024, row["sops_rs"]["rss_max_kib"] / 1024))
    return row


def both(name, sops_argv, ours_argv, rounds, sops_rounds=None, env=BASE_ENV):
    """One process each, alternated; RSS of the same commands."""
    return compare(name, one(sops_argv, env), one(ours_argv, env), rounds, sops_rounds,
                   rss=(sops_argv, ours_argv, env, None))


def one(argv, env=BASE_ENV, stdout=None, cwd=None):
    return lambda: run_ok(argv, env, stdout, cwd)[:3]


def loop(argvs, env=BASE_ENV, cwd=None):
    """Many processes one after the other, as a shell loop would run them."""
    def go():
        wall = cpu = 0.0
        rss = 0
        start = time.perf_counter()
        for argv in argvs:
            _, c, r, code = spawn(argv, env, None, cwd)
            if code != 0:
                sys.exit("bench: %s exited with %d" % (" ".join(argv), code))
            cpu += c
            rss = max(rss, r)
        wall = time.perf_counter() - start
        return wall, cpu, rss
    return go


def gen(leaves, fmt):
    ext = {"yaml": "yaml", "json": "json", "dotenv": "env"}[fmt]
    path = os.path.join(OUT, "big-%d.%s" % (leaves, ext))
    if not os.path.exists(path):
        with open(path, "w") as f:
            subprocess.run([sys.executable, os.path.join(ROOT, "benches", "gen_big.py"),
                            str(leaves), fmt], stdout=f, check=True)
    return path


def encrypted_by_sops(plain):
    root, ext = os.path.splitext(plain)
    enc = root + ".enc" + ext
    if not os.path.exists(enc) or os.path.getmtime(enc) < os.path.getmtime(plain):
        run_ok([SOPS, "-e", "--age", RECIPIENT, plain], BASE_ENV, stdout=enc)
    return enc


def same_output(enc):
    """sops-rs must print exactly what sops prints before it is timed."""
    a, b = enc + ".sops.out", enc + ".ours.out"
    run_ok([SOPS, "-d", enc], BASE_ENV, stdout=a)
    run_ok([OURS, "-d", enc], BASE_ENV, stdout=b)
    if open(a, "rb").read() != open(b, "rb").read():
        sys.exit("bench: sops-rs -d %s differs from sops -d" % enc)
    os.unlink(a)
    os.unlink(b)


def label(n):
    return "%dM" % (n // 1_000_000) if n >= 1_000_000 else "%dk" % (n // 1000) if n >= 1000 else str(n)


def case_small():
    log("(a) small-file decrypt, age")
    plain = os.path.join(OUT, "small.yaml")
    shutil.copy(os.path.join(ROOT, "examples", "secrets.plaintext.yaml"), plain)
    enc = encrypted_by_sops(plain)
    same_output(enc)
    both("decrypt small file (age)", [SOPS, "-d", enc], [OURS, "-d", enc], SMALL_RUNS)


def case_yaml():
    log("(b, c) YAML encrypt and decrypt")
    for n in SIZES:
        plain = gen(n, "yaml")
        enc = encrypted_by_sops(plain)
        if n <= 100_000:
            same_output(enc)
        # sops needs about a minute per pass at 1M leaves: one round there.
        rounds = ROUNDS if n < 1_000_000 else min(ROUNDS, 3)
        sops_rounds = rounds if n < 1_000_000 else 1
        both("encrypt YAML %s leaves" % label(n), [SOPS, "-e", "--age", RECIPIENT, plain],
             [OURS, "-e", "--age", RECIPIENT, plain], rounds, sops_rounds)
        both("decrypt YAML %s leaves" % label(n), [SOPS, "-d", enc], [OURS, "-d", enc], rounds,
             sops_rounds)


def case_formats():
    log("(d) JSON and dotenv, 100k leaves")
    for fmt in ("json", "dotenv"):
        plain = gen(100_000, fmt)
        enc = encrypted_by_sops(plain)
        same_output(enc)
        # sops takes ~30 s to encrypt this JSON: at most 3 rounds.
        rounds = min(ROUNDS, 3)
        both("encrypt %s 100k leaves" % fmt, [SOPS, "-e", "--age", RECIPIENT, plain],
             [OURS, "-e", "--age", RECIPIENT, plain], rounds)
        both("decrypt %s 100k leaves" % fmt, [SOPS, "-d", enc], [OURS, "-d", enc], rounds)


def case_many():
    log("(e) filestatus and the pre-commit guard over %d files" % FILES)
    d = os.path.join(OUT, "many")
    if not os.path.isdir(d) or len(os.listdir(d)) != FILES:
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        # 50 distinct files written by sops, each copied FILES/50 times.
        seeds = []
        for i in range(50):
            p = os.path.join(OUT, "seed%02d.yaml" % i)
            with open(p, "w") as f:
                f.write("app: svc%d\npassword: s3cr3t-%d\nport: %d\n" % (i, i, 8000 + i))
            seeds.append(encrypted_by_sops(p))
        for i in range(FILES):
            shutil.copy(seeds[i % 50], os.path.join(d, "f%05d.yaml" % i))
    files = sorted(os.path.join(d, f) for f in os.listdir(d))
    compare("filestatus, %d files (one call each)" % FILES,
            loop([[SOPS, "filestatus", f] for f in files]),
            loop([[OURS, "filestatus", f] for f in files]), 1,
            rss=([SOPS, "filestatus", files[0]], [OURS, "filestatus", files[0]], BASE_ENV, None))
    first = results[-1]["sample"]
    compare("%d files: sops filestatus loop vs sops-rs pre-commit" % FILES,
            None,
            one([OURS, "pre-commit"] + files, cwd=d), 1,
            rss=([SOPS, "filestatus", files[0]], [OURS, "pre-commit"] + files, BASE_ENV, d),
            reuse_sops=first)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def case_kms():
    log("(f) %d files with the same AWS KMS key (moto on 127.0.0.1)" % KMS_FILES)
    moto = os.path.join(ROOT, ".venv", "bin", "moto_server")
    port = free_port()
    aws = os.path.join(OUT, "aws")
    os.makedirs(aws, exist_ok=True)
    for f in ("config", "credentials"):
        open(os.path.join(aws, f), "w").close()
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d" % port
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        env = dict(BASE_ENV, AWS_ENDPOINT_URL=url, AWS_ACCESS_KEY_ID="test",
                   AWS_SECRET_ACCESS_KEY="test", AWS_REGION="us-east-1",
                   AWS_CONFIG_FILE=os.path.join(aws, "config"),
                   AWS_SHARED_CREDENTIALS_FILE=os.path.join(aws, "credentials"),
                   AWS_EC2_METADATA_DISABLED="true")
        arn = subprocess.run(
            [VENV_PY, "-c", "import boto3; print(boto3.client('kms', region_name='us-east-1', "
             "endpoint_url=%r).create_key()['KeyMetadata']['Arn'])" % url],
            env=env, check=True, capture_output=True, text=True).stdout.strip()
        src = os.path.join(OUT, "kms-src")
        shutil.rmtree(src, ignore_errors=True)
        os.makedirs(src)
        # Each file gets its own data key (as in real repositories), wrapped by the KMS key.
        plain = os.path.join(OUT, "kms-plain.yaml")
        for i in range(KMS_FILES):
            with open(plain, "w") as f:
                f.write("app: svc%d\npassword: s3cr3t-%d\nport: %d\n" % (i, i, 8000 + i))
            run_ok([OURS, "-e", "--kms", arn, "--input-type", "yaml", "--output-type", "yaml", plain],
                   env, stdout=os.path.join(src, "f%04d.yaml" % i))
        files = sorted(os.path.join(src, f) for f in os.listdir(src))
        run_ok([SOPS, "-d", files[0]], env)
        floors = []
        for _ in range(3):
            floors.append(float(subprocess.run(
                [VENV_PY, "-c", MOTO_FLOOR, str(port), "8"] + files, env=env, check=True,
                capture_output=True, text=True).stdout))
        floor = statistics.median(floors)
        notes.append("moto alone answers the %d KMS Decrypt requests of the KMS rows in %s "
                     "(median of 3; 8 concurrent keep-alive connections, no client work): "
                     "the floor for any client, %.2f ms per request"
                     % (KMS_FILES, fmt_t(floor), floor * 1000 / KMS_FILES))
        log("  " + notes[-1])
        outdir = os.path.join(OUT, "kms-out")
        compare("decrypt %d KMS files" % KMS_FILES,
                loop([[SOPS, "-d", f] for f in files], env),
                one([OURS, "decrypt", "--output-dir", outdir] + files, env), 1,
                rss=([SOPS, "-d", files[0]], [OURS, "decrypt", "--output-dir", outdir] + files, env,
                     None))
        # The cache: copies of one file share one wrapped key (sops still asks KMS per file).
        copies = os.path.join(OUT, "kms-copies")
        shutil.rmtree(copies, ignore_errors=True)
        os.makedirs(copies)
        for i in range(KMS_FILES):
            shutil.copy(files[0], os.path.join(copies, "c%04d.yaml" % i))
        cfiles = sorted(os.path.join(copies, f) for f in os.listdir(copies))
        compare("decrypt %d KMS files sharing one data key" % KMS_FILES,
                loop([[SOPS, "-d", f] for f in cfiles], env),
                one([OURS, "decrypt", "--output-dir", outdir] + cfiles, env), 1,
                rss=([SOPS, "-d", cfiles[0]], [OURS, "decrypt", "--output-dir", outdir] + cfiles,
                     env, None))
        # updatekeys: the rule adds an age key to the KMS key of every file.
        work = os.path.join(OUT, "kms-work")
        with open(os.path.join(OUT, ".sops.yaml"), "w") as f:
            f.write("creation_rules:\n  - kms: %s\n    age: %s\n" % (arn, RECIPIENT))

        def fresh():
            shutil.rmtree(work, ignore_errors=True)
            shutil.copytree(src, work)
        wfiles = [os.path.join(work, os.path.basename(f)) for f in files]
        compare("updatekeys %d KMS files" % KMS_FILES,
                loop([[SOPS, "updatekeys", "-y", f] for f in wfiles], env, cwd=OUT),
                one([OURS, "updatekeys", "--recursive", "-y", work], env, cwd=OUT), 1,
                prepare=fresh,
                rss=([SOPS, "updatekeys", "-y", wfiles[0]],
                     [OURS, "updatekeys", "--recursive", "-y", work], env, OUT))
        with open(wfiles[0]) as f:
            if "age:" not in f.read():
                sys.exit("bench: updatekeys did not add the age key")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return "%s, %d cores, %s, load average %.1f at the start" % (
        cpu, os.cpu_count(), platform.platform(), os.getloadavg()[0])


def table():
    lines = ["| case | sops 3.11.0 wall (median, min–max) | sops-rs wall (median, min–max) | ratio | CPU ratio | peak RSS sops | peak RSS sops-rs | RSS ratio |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        def t(s):
            if s["runs"] == 1:
                return fmt_t(s["wall_median"]) + " (1 run)"
            return "%s (%s–%s, %d runs)" % (fmt_t(s["wall_median"]), fmt_t(s["wall_min"]),
                                            fmt_t(s["wall_max"]), s["runs"])
        cpu = r["sops"]["cpu_median"] / max(r["sops_rs"]["cpu_median"], 1e-9)
        lines.append("| %s | %s | %s | %.1f× | %.1f× | %.1f MiB | %.1f MiB | %.1f× |" % (
            r["case"], t(r["sops"]), t(r["sops_rs"]), r["ratio"], cpu, r["sops"]["rss_max_kib"] / 1024,
            r["sops_rs"]["rss_max_kib"] / 1024, r["rss_ratio"]))
    return "\n".join(lines)


def growth():
    """sops-rs time and memory per YAML size: linear growth keeps the per-leaf columns flat."""
    rows = {}
    for r in results:
        parts = r["case"].split()
        if len(parts) == 4 and parts[1] == "YAML":
            rows.setdefault(parts[2], {})[parts[0]] = r["sops_rs"]
    lines = ["| leaves | encrypt | decrypt | peak RSS (enc / dec) | decrypt µs per leaf | decrypt RSS per leaf |",
             "|---|---|---|---|---|---|"]
    for size, row in rows.items():
        if "encrypt" not in row or "decrypt" not in row:
            continue
        n = parse_label(size)
        e, d = row["encrypt"], row["decrypt"]
        lines.append("| %s | %s | %s | %.1f / %.1f MiB | %.2f | %.0f B |" % (
            size, fmt_t(e["wall_median"]), fmt_t(d["wall_median"]), e["rss_max_kib"] / 1024,
            d["rss_max_kib"] / 1024, d["wall_median"] * 1e6 / n, d["rss_max_kib"] * 1024 / n))
    return "\n".join(lines)


def parse_label(s):
    return int(s[:-1]) * (1_000_000 if s.endswith("M") else 1000) if s[-1] in "kM" else int(s)


def fmt_t(s):
    return "%.1f ms" % (s * 1000) if s < 10 else "%.1f s" % s


def main():
    os.makedirs(BASE_ENV["HOME"], exist_ok=True)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    info = machine()
    version = subprocess.run([OURS, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    for name in CASES:
        globals()["case_" + name]()
    with open(os.path.join(OUT, "results.json"), "w") as f:
        rows = [{k: v for k, v in r.items() if k != "sample"} for r in results]
        json.dump({"started": started, "machine": info, "sops_rs": version, "results": rows,
                   "notes": notes}, f, indent=2)
    print()
    print("Benchmark of %s against sops 3.11.0, started %s" % (version, started))
    print("Machine: %s" % info)
    print("ratio = sops median wall time / sops-rs median wall time (above 1: sops-rs is faster); "
          "CPU ratio = the same for user+system CPU time (less sensitive to other load)")
    print()
    print(table())
    for note in notes:
        print()
        print("* " + note)
    if any(r["case"].startswith("decrypt YAML") for r in results):
        print()
        print("sops-rs growth with the number of YAML leaves:")
        print()
        print(growth())


if __name__ == "__main__":
    main()
