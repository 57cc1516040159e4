#!/usr/bin/env python3
"""Lattice Engine benchmark driver (python3 stdlib + psql + pgbench), started by scripts/bench.

Starts replicas of the packaged service against the lattice_bench database, runs the
scenarios S1-S6 and the baselines (db-scheduler, pgbench over the engine's own SQL), prints a
table and writes Markdown. Every figure is read back from the database (task.started_at,
finished_at, ...), so the clocks are Postgres's, not this script's.
"""
import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The tuned JVM settings, the same for the scenario replicas and the tuned db-scheduler baseline.
# C1 only: on 2 cores the C2 compiler threads took as much CPU during S1 as the engine's own
# threads, even after a warm-up, and C1 code is fast enough for work that mostly waits on Postgres.
JVM_FLAGS = ["-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"]


def shipped_jvm_flags():
    """The JVM flags the image ships (JAVA_OPTS_APPEND in src/main/docker/Dockerfile.jvm, which
    k8s/ runs unchanged), without the -D properties: the headline runs the engine with exactly these."""
    text = open(os.path.join(ROOT, "src/main/docker/Dockerfile.jvm")).read()
    m = re.search(r'^ENV JAVA_OPTS_APPEND="([^"]*)"', text, re.M)
    return [f for f in (m.group(1).split() if m else []) if f.startswith("-X")]


SHIPPED_FLAGS = shipped_jvm_flags()
# glibc's per-thread malloc arenas otherwise add tens of MB of RSS for dozens of worker threads.
JVM_ENV = dict(os.environ, MALLOC_ARENA_MAX="2")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", os.environ.get("LATTICE_DB_USER", "postgres")


def log(msg):
    print(f"bench: {msg}", flush=True)


# ---------------------------------------------------------------- database helpers

def psql(db, sql, *extra):
    out = subprocess.run(["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db, "-X", "-q", "-At",
                          "-v", "ON_ERROR_STOP=1", *extra, "-c", sql],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


def scalar(db, sql):
    return psql(db, sql).split("\n")[0]


# ---------------------------------------------------------------- replicas

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replica:
    """One `java -jar quarkus-run.jar` process; its pid is also written to the pid file for the EXIT trap."""

    def __init__(self, args, name, props, jvm_flags=None):
        self.name, self.port = name, free_port()
        self.jvm_flags = JVM_FLAGS if jvm_flags is None else jvm_flags
        self.slots = int(props["lattice.worker.concurrency"])
        self.log_path = os.path.join(args.workdir, f"{name}.log")
        cmd = ["java", *self.jvm_flags,
               f"-Dquarkus.http.port={self.port}",
               f"-Dquarkus.datasource.jdbc.url=jdbc:postgresql://{PG_HOST}:{PG_PORT}/{args.db}",
               "-Dlattice.simulated.latency=0ms",
               # The benchmark measures the engine; the prod profile's authentication is switched off explicitly.
               "-Dlattice.auth.enabled=false",
               "-Dquarkus.log.category.\"com.latticeengine\".level=WARN",
               f"-Dlattice.worker.id=bench-{name}"]
        cmd += [f"-D{k}={v}" for k, v in props.items()]
        cmd += ["-jar", args.jar]
        self.cmd = cmd
        env = JVM_ENV if self.jvm_flags is JVM_FLAGS else os.environ
        self.proc = subprocess.Popen(cmd, stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, env=env,
                                     start_new_session=True)
        with open(args.pidfile, "a") as f:
            f.write(f"{self.proc.pid}\n")
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with urllib.request.urlopen(self.base + "/q/health/ready", timeout=3) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        tail = open(self.log_path).read()[-3000:]
        raise RuntimeError(f"replica {self.name} did not become ready; log tail:\n{tail}")

    def status(self, key):
        try:
            with open(f"/proc/{self.proc.pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1]) // 1024  # kB -> MB
        except OSError:
            return None
        return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


# ---------------------------------------------------------------- lattices

def project(name, layer, latency_ms=0):
    return {"name": name, "layer": layer, "parent_name": None, "simulate": {"latency_ms": latency_ms}}


def submission(projects, flows, label):
    return {"requirements": f"benchmark {label}", "processor": "simulated",
            "lattice": {"projects": projects, "data_flows": flows}}


def flat(n):
    return submission([project(f"p{i}", 1) for i in range(n)], [], f"flat {n}")


def layered(n, width, max_fan_in, rng):
    """n projects in layers of `width`; each below the first takes 1..max_fan_in upstreams from the layer above."""
    projects, flows, layers = [], [], []
    for i in range(n):
        layer = i // width
        if layer == len(layers):
            layers.append([])
        name = f"l{layer}_{i % width}"
        layers[layer].append(name)
        projects.append(project(name, layer + 1))
        if layer > 0:
            for up in rng.sample(layers[layer - 1], min(len(layers[layer - 1]), rng.randint(1, max_fan_in))):
                flows.append({"from_project": up, "to_project": name, "data_type": "x"})
    return submission(projects, flows, f"layered {n}")


def chain(n):
    projects = [project(f"c{i}", i + 1) for i in range(n)]
    flows = [{"from_project": f"c{i}", "to_project": f"c{i + 1}", "data_type": "x"} for i in range(n - 1)]
    return submission(projects, flows, f"chain {n}")


def fan_in(n):
    projects = [project(f"f{i}", 1) for i in range(n)] + [project("sink", 2)]
    flows = [{"from_project": f"f{i}", "to_project": "sink", "data_type": "x"} for i in range(n)]
    return submission(projects, flows, f"fan-in {n}")


def random_dag(n, rng, window=40, max_preds=3):
    """Random DAG in topological order; durations 50-500 ms; layer = longest-path depth + 1."""
    preds, dur, depth = [], [], []
    for i in range(n):
        lo = max(0, i - window)
        k = min(i - lo, rng.randint(0, max_preds))
        p = rng.sample(range(lo, i), k) if k else []
        preds.append(p)
        dur.append(rng.randint(50, 500))
        depth.append(1 + max((depth[j] for j in p), default=0))
    projects = [project(f"r{i}", depth[i], dur[i]) for i in range(n)]
    flows = [{"from_project": f"r{j}", "to_project": f"r{i}", "data_type": "x"} for i in range(n) for j in preds[i]]
    return submission(projects, flows, f"random dag {n}"), preds, dur, depth


def critical_path(preds, dur):
    finish = []
    for i in range(len(dur)):
        finish.append(dur[i] + max((finish[j] for j in preds[i]), default=0))
    return max(finish)


def barrier_makespan(depth, dur, slots):
    """The seed's layer-by-layer barrier: each layer list-scheduled (in order, earliest-free slot), then wait for all."""
    total = 0
    for layer in sorted(set(depth)):
        free = [0] * slots
        for i in (i for i in range(len(dur)) if depth[i] == layer):
            k = min(range(slots), key=free.__getitem__)
            free[k] += dur[i]
        total += max(free)
    return total


# ---------------------------------------------------------------- running a lattice

def submit(replica, body):
    data = json.dumps(body).encode()
    req = urllib.request.Request(replica.base + "/api/runs", data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
    t0 = time.monotonic()
    with urllib.request.urlopen(req, timeout=300) as r:
        r.read()
        location = r.headers["Location"]
        status = r.status
    elapsed = time.monotonic() - t0
    if status != 201:
        raise RuntimeError(f"POST /api/runs answered {status}")
    return location.rsplit("/", 1)[1], elapsed, len(data)


def wait_run(db, run_id, timeout):
    deadline = time.monotonic() + timeout
    while True:
        state = scalar(db, f"SELECT state FROM run WHERE id = '{run_id}'")
        if state != "RUNNING":
            return state
        if time.monotonic() > deadline:
            return "TIMEOUT"
        time.sleep(0.25)


def busy_cpu_seconds():
    """Machine-wide CPU seconds spent so far (user, nice, system, irq, softirq; not idle, iowait or
    steal): the engine, Postgres and this driver's polling together, on a machine left to the bench."""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def wal_bytes(db):
    return int(scalar(db, "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))


def run_window(db, run_id):
    """(tasks, execution window s = last finish - first start, end-to-end s = run finished - run created)."""
    row = psql(db, f"""
        SELECT count(*),
               extract(epoch FROM max(t.finished_at) - min(t.started_at)),
               extract(epoch FROM max(r.finished_at) - min(r.created_at))
          FROM task t JOIN run r ON r.id = t.run_id
         WHERE t.run_id = '{run_id}' AND t.state = 'SUCCEEDED'""")
    n, window, e2e = row.split("|")
    return int(n), float(window), float(e2e)


def execute(args, replica, body, timeout, label):
    """Submits, waits for the end (psql polling), reads the figures back from the database."""
    # Each scenario starts on vacuumed tables, as autovacuum would keep them between bursts.
    psql(args.db, "VACUUM (ANALYZE) task, task_attempt, task_input, run_event, run")
    cpu0, wal0 = busy_cpu_seconds(), wal_bytes(args.db)
    run_id, post_s, size = submit(replica, body)
    state = wait_run(args.db, run_id, timeout)
    cpu, wal = busy_cpu_seconds() - cpu0, wal_bytes(args.db) - wal0
    if state != "SUCCEEDED":
        raise RuntimeError(f"{label}: run {run_id} ended {state}")
    n, window, e2e = run_window(args.db, run_id)
    # Work per task, submission included. On a shared VM tasks/s of identical runs moved by a third
    # and CPU per task nearly as much (the host's neighbours slow every instruction), but WAL per
    # task stayed within 1 %: what a change writes shows there even when timings cannot tell.
    cpu_ms, wal_b = cpu * 1e6 / n, wal / n
    log(f"{label}: {n} tasks, window {window:.2f}s ({n / window:.0f} tasks/s), end-to-end {e2e:.2f}s, POST {post_s:.2f}s, "
        f"CPU {cpu_ms:.0f} ms per 1,000 tasks, WAL {wal_b:.0f} B per task")
    over = int(scalar(args.db, f"""
        SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM task_attempt a JOIN task t ON t.id = a.task_id
         WHERE t.run_id = '{run_id}' GROUP BY a.worker_id, a.started_at) c"""))
    if over > replica.slots:
        log(f"WARNING {label}: one claim took {over} tasks with {replica.slots} slots (engine over-claim)")
    return {"over_claim": over, "run": run_id, "tasks": n, "window_s": window, "e2e_s": e2e, "post_s": post_s, "body_bytes": size,
            "tps": n / window, "cpu_ms_per_ktask": cpu_ms, "wal_per_task": wal_b}


def median_run(args, replica, body, label):
    """The median of args.rounds runs by tasks/s: an S1 run lasts about 1.5 s here, S5 0.5 s, and single
    runs moved by 15 % (once by 4x, while autovacuum worked on the same table)."""
    runs = sorted((execute(args, replica, body, 600, f"{label}, run {i + 1}") for i in range(args.rounds)),
                  key=lambda run: run["tps"])
    cpu = statistics.median(run["cpu_ms_per_ktask"] for run in runs)
    wal = statistics.median(run["wal_per_task"] for run in runs)
    return runs[len(runs) // 2] | {"min_tps": runs[0]["tps"], "max_tps": runs[-1]["tps"],
                                   "cpu_ms_per_ktask": cpu, "wal_per_task": wal}


def clean(db):
    psql(db, "TRUNCATE run, task, task_input, task_attempt CASCADE")
    psql(db, "VACUUM ANALYZE task")


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def hop_latencies(db, run_id):
    out = psql(db, f"""
        SELECT extract(epoch FROM d.started_at - u.finished_at) * 1000
          FROM task_input i JOIN task u ON u.id = i.from_task JOIN task d ON d.id = i.to_task
         WHERE d.run_id = '{run_id}'""")
    return [float(x) for x in out.split()]


# ---------------------------------------------------------------- baselines

def sql_sync_check():
    """The pgbench scripts must carry TaskSql's statements: report any that no longer match."""
    java = open(os.path.join(ROOT, "src/main/java/com/latticeengine/store/TaskSql.java")).read()
    script = open(os.path.join(ROOT, "bench/pgbench/claim_complete.sql")).read()
    norm = lambda s: re.sub(r"\s+", " ", s).strip()
    script_n = norm(script)
    drift = []
    for const in ("CLAIM_TEMPLATE", "INPUTS", "MARK_SUCCEEDED", "RELEASE_DOWNSTREAM", "FINISH_RUNS"):
        m = re.search(r"String " + const + r' = """(.*?)""";', java, re.S)
        if not m:
            drift.append(const + " (not found in TaskSql.java)")
            continue
        text = re.sub(r"\?::\w+\[\]", "?", norm(m.group(1)).replace("%s", "limit_key IS NULL"))
        if const == "CLAIM_TEMPLATE":
            # The scripts aggregate the claim's final SELECT list into one row for \gset.
            text = text[:text.rindex(" SELECT ")]
        pattern = r"\s*".join(
            ".+?" if tok == "?" else re.escape(tok) for tok in re.findall(r"\?|[^\s?]+", text))
        if not re.search(pattern, script_n):
            drift.append(const)
    return drift


def pgbench(args, script, clients, seconds):
    out = subprocess.run(["pgbench", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-n", "-M", "prepared",
                          "-f", script, "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), args.db],
                         capture_output=True, text=True, cwd=os.path.join(ROOT, "bench/pgbench"))
    m = re.search(r"tps = ([0-9.]+)", out.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", out.stdout)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"pgbench failed: {out.stdout[-800:]} {out.stderr[-800:]}")
    return float(m.group(1)), int(failed.group(1)) if failed else 0


def pgbench_ceilings(args):
    results = {}
    drift = sql_sync_check()
    if drift:
        log("WARNING: pgbench scripts differ from TaskSql.java in: " + ", ".join(drift))
    for script, per_txn in (("claim_complete.sql", 1), ("claim_complete_10.sql", 10)):
        for clients in args.pg_clients:
            psql(args.db, "", "-v", f"tasks={args.pg_fill * per_txn}", "-f",
                 os.path.join(ROOT, "bench/pgbench/setup.sql"))
            tps, failed = pgbench(args, script, clients, args.pg_seconds)
            done = int(scalar(args.db, "SELECT count(*) FROM task WHERE state = 'SUCCEEDED'"))
            # Not tps x tasks per transaction: a claim racing another one may take fewer, or none.
            tasks_s = done / args.pg_seconds
            left = int(scalar(args.db, "SELECT count(*) FROM task WHERE state = 'READY'"))
            log(f"pgbench {script} -c {clients}: {tps:.0f} tps = {tasks_s:.0f} tasks/s ({done} done, {left} left)")
            if left == 0:
                log("WARNING: the pre-filled table ran dry; raise --pg-fill")
            results[(per_txn, clients)] = tasks_s
    clean(args.db)
    return results, drift


def db_scheduler(args, tuned=True):
    """tuned: the tuned JVM flags; else db-scheduler as its users run it, with the JVM's defaults."""
    cp = f"{ROOT}/bench/db-scheduler/target/classes:{ROOT}/bench/db-scheduler/target/lib/*"
    out = subprocess.run(["java", *(JVM_FLAGS if tuned else []), "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                          "-cp", cp, "bench.DbSchedulerBench",
                          f"jdbc:postgresql://{PG_HOST}:{PG_PORT}/{args.db}", PG_USER, str(args.s1), "20",
                          str(args.warmup), str(args.rounds)],
                         capture_output=True, text=True, timeout=600, env=JVM_ENV if tuned else os.environ)
    m = re.search(r" seconds=([0-9.]+) executions_per_s=([0-9.]+)", out.stdout)
    cold = re.search(r"cold_executions_per_s=([0-9.]+)", out.stdout)
    spread = re.search(r"min_executions_per_s=([0-9.]+) max_executions_per_s=([0-9.]+)", out.stdout)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"db-scheduler baseline failed: {out.stdout[-1000:]} {out.stderr[-2000:]}")
    psql(args.db, "DROP TABLE scheduled_tasks")
    log(f"db-scheduler ({'tuned' if tuned else 'JVM defaults'}): {args.s1} executions in {float(m.group(1)):.2f}s = {float(m.group(2)):.0f}/s warm; "
        f"{float(cold.group(1)):.0f}/s in the first (cold) round of {args.warmup}")
    return {"seconds": float(m.group(1)), "per_s": float(m.group(2)), "cold_per_s": float(cold.group(1)),
            "min_per_s": float(spread.group(1)), "max_per_s": float(spread.group(2))}


# ---------------------------------------------------------------- report

def fmt(x, digits=0):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def verdict(ok):
    return "met" if ok else "**not met**"


def report(args, r):
    rows = []
    s1, s1b, pg = r["s1_1"], r["s1_2"], r["pgbench"]
    before, after = r["dbsched"], r["dbsched_after"]
    dbs = {"per_s": (before["per_s"] + after["per_s"]) / 2, "cold_per_s": before["cold_per_s"]}
    ratio_db = s1["tps"] / dbs["per_s"]
    hs, hb, ha = r["head_s1"], r["head_dbsched"], r["head_dbsched_after"]
    head_db = (hb["per_s"] + ha["per_s"]) / 2
    rows.append(("**Headline: S1, 1 replica, both as shipped**", f"engine {fmt(hs['tps'])} tasks/s "
                 f"(median of {args.rounds}, {fmt(hs['min_tps'])}-{fmt(hs['max_tps'])}; cold {fmt(r['head_s1_cold']['tps'])}/s) "
                 f"with the image's JVM flags `{' '.join(SHIPPED_FLAGS) or '(none: JVM defaults)'}`; db-scheduler "
                 f"{fmt(head_db)} executions/s with the JVM's defaults (mean of {fmt(hb['per_s'])}/s before and "
                 f"{fmt(ha['per_s'])}/s after)", "≥ 1.5× db-scheduler",
                 f"**{hs['tps'] / head_db:.2f}×** db-scheduler: {verdict(hs['tps'] / head_db >= 1.5)}"))
    if "head_defaults" in r:
        hd = r["head_defaults"]
        rows.append(("S1, 1 replica, engine with no JVM flags", f"{fmt(hd['tps'])} tasks/s (median of {args.rounds}, "
                     f"{fmt(hd['min_tps'])}-{fmt(hd['max_tps'])}; cold {fmt(r['head_defaults_cold']['tps'])}/s)",
                     "(shown beside)", f"{hd['tps'] / head_db:.2f}× db-scheduler; the shipped flags give "
                     f"{hs['tps'] / hd['tps']:.2f}× this"))
    rows.append(("S1 flat throughput, 1 replica (tuned JVM both sides)", f"{fmt(s1['tps'])} tasks/s, median of {args.rounds} runs "
                 f"({fmt(s1['min_tps'])}-{fmt(s1['max_tps'])}; {s1['tasks']:,} tasks in {s1['window_s']:.2f} s; "
                 f"end-to-end incl. insert {s1['e2e_s']:.2f} s; machine CPU {fmt(s1['cpu_ms_per_ktask'])} ms per 1,000 tasks, "
                 f"WAL {fmt(s1['wal_per_task'])} B per task, submission included)", "≥ 1.5× db-scheduler (aim 3×)",
                 f"{ratio_db:.2f}× db-scheduler: {verdict(ratio_db >= 1.5)}"))
    rows.append(("S1 flat throughput, 2 replicas", f"{fmt(s1b['tps'])} tasks/s, median of {args.rounds} runs "
                 f"({fmt(s1b['min_tps'])}-{fmt(s1b['max_tps'])}; {s1b['window_s']:.2f} s)",
                 "≥ 1.5× db-scheduler", f"{s1b['tps'] / dbs['per_s']:.2f}× db-scheduler: {verdict(s1b['tps'] / dbs['per_s'] >= 1.5)}"))
    rows.append(("Baseline: db-scheduler 16.7.1 (tuned JVM)", f"{fmt(dbs['per_s'])} executions/s warm: the mean of "
                 f"{fmt(before['per_s'])}/s before S1 and {fmt(after['per_s'])}/s right after it, each the median of "
                 f"{args.rounds} rounds (ranges {fmt(before['min_per_s'])}-{fmt(before['max_per_s'])} and "
                 f"{fmt(after['min_per_s'])}-{fmt(after['max_per_s'])}; {args.s1:,} no-op one-time tasks, "
                 f"lock-and-fetch, 20 threads); cold (its first round before S1): {fmt(dbs['cold_per_s'])}/s",
                 "—", "—"))
    cold = r["s1_cold"]
    rows.append(("S1 cold, 1 replica (its first run of that size)", f"{fmt(cold['tps'])} tasks/s",
                 "(shown beside)", f"{cold['tps'] / dbs['cold_per_s']:.2f}× db-scheduler cold"))
    for (per_txn, clients), v in sorted(pg.items()):
        rows.append((f"Baseline: pgbench engine SQL, {per_txn} task/txn, {clients} client(s)", f"{fmt(v)} tasks/s", "—",
                     f"S1 (1 replica) = {s1['tps'] / v:.2f}× this ceiling"))
    s2 = r["s2"]
    rows.append((f"S2 layered DAG throughput", f"{fmt(s2['tps'])} tasks/s ({s2['tasks']:,} tasks, fan-in ≤ 4, {s2['window_s']:.2f} s)",
                 "—", "—"))
    for key, label in (("s3_notify", "notifications on"), ("s3_poll", "polling only")):
        h = r.get(key)
        if h is None:
            rows.append((f"S3 hop latency, {label}", "not run", "", ""))
            continue
        target = "p50 ≤ 5 ms, p99 ≤ 30 ms" if key == "s3_notify" else "(shown beside)"
        ok = verdict(h["p50"] <= 5 and h["p99"] <= 30) if key == "s3_notify" else "—"
        rows.append((f"S3 hop latency, {label}{h.get('note', '')}",
                     f"p50 {h['p50']:.1f} ms, p95 {h['p95']:.1f} ms, p99 {h['p99']:.1f} ms, max {h['max']:.1f} ms ({h['hops']} hops)",
                     target, ok))
    s4 = r["s4"]
    rows.append((f"S4 makespan, {s4['n']}-project random DAG, {s4['slots']} slots",
                 f"{s4['makespan']:.2f} s = {s4['ratio']:.3f}× lower bound {s4['lb']:.2f} s "
                 f"(critical path {s4['cp']:.2f} s, work/slots {s4['work_per_slot']:.2f} s); "
                 f"layer barrier would give {s4['barrier']:.2f} s = {s4['barrier'] / s4['lb']:.3f}× bound",
                 "≤ 1.05× lower bound", verdict(s4["ratio"] <= 1.05)))
    s5 = r["s5"]
    rows.append((f"S5 hot fan-in ({s5['tasks'] - 1:,} → 1)", f"{fmt(s5['tps'])} tasks/s, median of {args.rounds} runs "
                 f"({fmt(s5['min_tps'])}-{fmt(s5['max_tps'])}) = {s5['tps'] / s1['tps'] * 100:.0f}% of S1",
                 "≥ 50% of S1", verdict(s5["tps"] / s1["tps"] >= 0.5)))
    s6 = r["s6"]
    rows.append((f"S6 submission of {s6['tasks']:,} projects", f"{s6['post_s']:.2f} s (POST, {s6['body_bytes'] / 1e6:.1f} MB body, "
                 f"{s6['flows']:,} data flows); {s1['tasks']:,} flat projects: {s1['post_s']:.2f} s", "< 2 s", verdict(s6["post_s"] < 2)))
    rss = r["rss"]
    rows.append(("Peak RSS (VmHWM) per replica", "; ".join(f"{k}: {v} MB" for k, v in rss.items()),
                 "< 300 MB during S1", verdict(max(r["rss_s1"].values()) < 300) + " (S1: " +
                 ", ".join(f"{k} {v} MB" for k, v in r["rss_s1"].items()) + ")"))

    head = ["Figure", "Measured", "Target (issue 5)", "Verdict"]
    md = [f"# Lattice Engine benchmark ({'quick' if args.quick else 'full'})", "",
          f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; commit {r['commit']}; command: `{r['command']}`",
          f"- machine: {os.cpu_count()} cores, {r['pg_version']}, synchronous_commit={r['sync_commit']}; "
          f"load average at start {r['load']}",
          f"- headline: replica H `java {' '.join(SHIPPED_FLAGS)} -jar ...` (the image's JVM flags, which k8s/ runs as they are) "
          f"against db-scheduler with the JVM's defaults, measured before the tuned scenarios",
          f"- scenario replicas (tuned): `java {' '.join(JVM_FLAGS)} -jar target/quarkus-app/quarkus-run.jar`, "
          f"env MALLOC_ARENA_MAX=2, lattice.worker.concurrency={args.concurrency} (S4: {args.s4_slots}), "
          f"simulated latency 0 ms unless stated; warm-up of {args.warmup:,} tasks on each side before S1",
          f"- notify key on this branch: {'yes' if r['notify_key'] else 'no (polling-only run uses the same config)'}"]
    if r["drift"]:
        md.append(f"- WARNING: pgbench scripts differ from TaskSql.java in {', '.join(r['drift'])}")
    md += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    md += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    text = "\n".join(md) + "\n"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({k: v for k, v in r.items() if k != "pgbench"} |
                  {"pgbench": {f"{p}x{c}": v for (p, c), v in r["pgbench"].items()}}, f, indent=2, default=str)
    # plain table for the terminal
    widths = [max(len(str(row[i])) for row in rows + [head]) for i in range(4)]
    widths = [min(w, 90) for w in widths]
    print()
    for row in [head] + rows:
        print("  ".join(str(c)[:90].ljust(widths[i]) for i, c in enumerate(row)))
    print()
    log(f"Markdown written to {os.path.relpath(args.out, ROOT)}")


def claim_scenarios(args, r, common, replicas, stop_all):
    """S1 (1 and 2 replicas) and S3 with notifications, the same steps as in the full run; each
    scenario vacuums the tables first (execute), so the server's autovacuum setting is left alone."""
    try:
        a = Replica(args, "A", common)
        replicas.append(a)
        a.wait_ready()
        execute(args, a, flat(args.warmup), 300, "warm-up (S1 cold)")
        psql(args.db, "ANALYZE")
        s1 = median_run(args, a, flat(args.s1), "S1 1 replica")
        res = execute(args, a, chain(args.s3), 600, "S3 chain (notifications on)")
        h = hop_latencies(args.db, res["run"])
        b = Replica(args, "B", common)
        replicas.append(b)
        b.wait_ready()
        s1b = median_run(args, a, flat(args.s1), "S1 2 replicas")
        log(f"claim-only {args.jar} load {r['load']}: S1 1 replica {s1['tps']:.0f} tasks/s "
            f"({s1['min_tps']:.0f}-{s1['max_tps']:.0f}); S1 2 replicas {s1b['tps']:.0f} tasks/s "
            f"({s1b['min_tps']:.0f}-{s1b['max_tps']:.0f}); S1 1 replica work: CPU {s1['cpu_ms_per_ktask']:.0f} ms "
            f"per 1,000 tasks, WAL {s1['wal_per_task']:.0f} B per task; S3 p50 {percentile(h, 50):.1f} ms, "
            f"p99 {percentile(h, 99):.1f} ms ({len(h)} hops)")
    finally:
        stop_all()


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db", default="lattice_bench")
    ap.add_argument("--jar", default=os.path.join(ROOT, "target/quarkus-app/quarkus-run.jar"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results/latest.md"))
    ap.add_argument("--workdir", default=os.path.join(ROOT, "target/bench"))
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--command", default="scripts/bench")
    ap.add_argument("--concurrency", type=int, default=128)
    ap.add_argument("--s4-slots", type=int, default=8)
    ap.add_argument("--claim-only", action="store_true",
                    help="only what the claim decides: S1 with 1 and 2 replicas and S3 with notifications, "
                         "on the database as it is (no db-scheduler, no pgbench, server settings untouched)")
    args = ap.parse_args()
    q = args.quick
    args.s1 = 2000 if q else 20000
    args.warmup = args.s1
    args.rounds = 3
    args.s2 = 1000 if q else 10000
    args.s3 = 50 if q else 300
    args.s4 = 100 if q else 500
    args.s5 = 1000 if q else 5000
    args.pg_clients = [1, 4] if q else [1, 4, 8]
    args.pg_seconds = 2 if q else 10
    args.pg_fill = 8000 if q else 40000
    os.makedirs(args.workdir, exist_ok=True)
    rng = random.Random(42)

    notify_key = "notify" in open(os.path.join(ROOT, "src/main/java/com/latticeengine/config/LatticeConfig.java")).read()
    r = {"command": args.command, "notify_key": notify_key,
         "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip(),
         "pg_version": scalar(args.db, "SELECT split_part(version(), ' on ', 1)"),
         "sync_commit": scalar(args.db, "SHOW synchronous_commit"),
         "load": open("/proc/loadavg").read().split()[0:3], "rss": {}, "rss_s1": {}}
    replicas = []
    common = {"lattice.worker.concurrency": args.concurrency}

    def stop_all():
        for rep in replicas:
            if rep.proc.poll() is None:
                hwm = rep.status("VmHWM")
                if hwm is not None:
                    r["rss"][rep.name] = hwm
                rep.stop()
        replicas.clear()

    if args.claim_only:
        claim_scenarios(args, r, common, replicas, stop_all)
        return
    # This machine's Postgres runs with autovacuum off; the engine's tables are meant to be
    # vacuumed (see V4__vacuum_hot_tables.sql), so turn it on for the bench and restore it after.
    autovacuum_was = scalar(args.db, "SHOW autovacuum")
    if autovacuum_was == "off":
        log("autovacuum is off on this server: turning it on for the bench (restored at the end)")
        psql(args.db, "ALTER SYSTEM SET autovacuum = on")
        psql(args.db, "SELECT pg_reload_conf()")
    try:
        t_start = time.monotonic()
        # The headline: both sides as they ship, the engine with the image's JVM flags and
        # db-scheduler with the JVM's defaults, bracketed by db-scheduler as the tuned S1 is below.
        log(f"headline baseline: db-scheduler with JVM defaults, {args.s1} no-op one-time tasks")
        r["head_dbsched"] = db_scheduler(args, tuned=False)
        log(f"starting replica H (the image's JVM flags: {' '.join(SHIPPED_FLAGS) or 'none'})")
        hrep = Replica(args, "H-shipped", common, SHIPPED_FLAGS)
        replicas.append(hrep)
        hrep.wait_ready()
        r["head_s1_cold"] = execute(args, hrep, flat(args.warmup), 300, "headline warm-up")
        psql(args.db, "ANALYZE")
        r["head_s1"] = median_run(args, hrep, flat(args.s1), "headline S1 (as shipped)")
        r["rss"]["H-shipped"] = hrep.status("VmHWM")
        stop_all()
        if SHIPPED_FLAGS:
            # What the shipped flags buy: the same measurement with none at all.
            log("starting replica H-defaults (no JVM flags)")
            hdef = Replica(args, "H-defaults", common, [])
            replicas.append(hdef)
            hdef.wait_ready()
            r["head_defaults_cold"] = execute(args, hdef, flat(args.warmup), 300, "JVM-defaults warm-up")
            r["head_defaults"] = median_run(args, hdef, flat(args.s1), "S1 with JVM defaults")
            r["rss"]["H-defaults"] = hdef.status("VmHWM")
            stop_all()
        log("headline baseline: db-scheduler with JVM defaults again, right after")
        r["head_dbsched_after"] = db_scheduler(args, tuned=False)
        # The tuned scenarios start from empty tables, as before the headline existed.
        clean(args.db)

        log(f"baseline: db-scheduler (tuned JVM), {args.s1} no-op one-time tasks")
        r["dbsched"] = db_scheduler(args)

        log("starting replica A")
        a = Replica(args, "A", common)
        replicas.append(a)
        a.wait_ready()
        # Both sides are measured warm: the same number of tasks as S1 first, as db-scheduler did.
        r["s1_cold"] = execute(args, a, flat(args.warmup), 300, "warm-up (S1 cold)")
        # Finished runs stay in the tables for the whole bench (nothing is truncated between
        # scenarios): with an empty, freshly analyzed task table the engine's cached CLAIM plan
        # rescans its LIMIT subquery and claims every READY task at once (see docs/BENCHMARKS.md).
        psql(args.db, "ANALYZE")

        r["s1_1"] = median_run(args, a, flat(args.s1), "S1 1 replica")
        r["rss_s1"]["A"] = a.status("VmHWM")
        # This machine's speed drifts by tens of percent within minutes: db-scheduler runs again
        # right after S1 (replica A idle), so the ratio compares measurements that bracket S1.
        log("baseline: db-scheduler again, right after S1")
        r["dbsched_after"] = db_scheduler(args)

        body = layered(args.s2, 200 if not q else 50, 4, rng)
        s2 = execute(args, a, body, 600, "S2 layered DAG")
        r["s2"] = s2
        r["s6"] = {"tasks": args.s2, "post_s": s2["post_s"], "body_bytes": s2["body_bytes"],
                   "flows": len(body["lattice"]["data_flows"])}

        res = execute(args, a, chain(args.s3), 600, "S3 chain (notifications on)")
        h = hop_latencies(args.db, res["run"])
        r["s3_notify"] = {"hops": len(h), "p50": percentile(h, 50), "p95": percentile(h, 95),
                          "p99": percentile(h, 99), "max": max(h)}

        # Drawn here so the DAG stays the one earlier runs of this bench measured (same rng sequence).
        s4_body, preds, dur, depth = random_dag(args.s4, rng)
        r["s5"] = median_run(args, a, fan_in(args.s5), "S5 hot fan-in")

        log("starting replica B")
        b = Replica(args, "B", common)
        replicas.append(b)
        b.wait_ready()
        r["s1_2"] = median_run(args, a, flat(args.s1), "S1 2 replicas")
        r["rss_s1"]["B"] = b.status("VmHWM")
        r["s1_2"]["per_replica"] = psql(args.db, f"SELECT worker_id || '=' || count(*) FROM task "
                                                 f"WHERE run_id = '{r['s1_2']['run']}' GROUP BY worker_id ORDER BY 1").split()
        stop_all()

        props = dict(common)
        note = ""
        if notify_key:
            props["lattice.worker.notify"] = "false"
        else:
            note = " (no notify key on this branch: same config as above)"
        log("starting replica C (polling only)" + note)
        c = Replica(args, "C-poll", props)
        replicas.append(c)
        c.wait_ready()
        res = execute(args, c, chain(args.s3), 900, "S3 chain (polling only)")
        h = hop_latencies(args.db, res["run"])
        r["s3_poll"] = {"hops": len(h), "p50": percentile(h, 50), "p95": percentile(h, 95),
                        "p99": percentile(h, 99), "max": max(h), "note": note}
        stop_all()

        log(f"starting replica D ({args.s4_slots} slots, for S4)")
        d = Replica(args, "D-s4", dict(common) | {"lattice.worker.concurrency": args.s4_slots})
        replicas.append(d)
        d.wait_ready()
        execute(args, d, flat(500), 300, "warm-up D")
        res = execute(args, d, s4_body, 600, "S4 random DAG")
        slots = args.s4_slots
        cp, work = critical_path(preds, dur) / 1000, sum(dur) / 1000
        lb = max(cp, work / slots)
        r["s4"] = {"n": args.s4, "slots": slots, "makespan": res["window_s"], "cp": cp, "work_per_slot": work / slots,
                   "lb": lb, "ratio": res["window_s"] / lb, "barrier": barrier_makespan(depth, dur, slots) / 1000,
                   "layers": max(depth)}
        log(f"S4: makespan {res['window_s']:.2f}s, lower bound {lb:.2f}s, barrier {r['s4']['barrier']:.2f}s")
        stop_all()

        log("baseline: pgbench over the engine's claim + complete SQL (replicas stopped)")
        r["pgbench"], r["drift"] = pgbench_ceilings(args)
        r["elapsed_s"] = time.monotonic() - t_start
        report(args, r)
        log(f"scenarios took {r['elapsed_s']:.0f}s")
    finally:
        stop_all()
        if autovacuum_was == "off":
            psql(args.db, "ALTER SYSTEM RESET autovacuum")
            psql(args.db, "SELECT pg_reload_conf()")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
