"""The `qa` command: index, ask, serve, eval.  Thin layers over the core."""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

DEFAULT_DATA = "data"
DEFAULT_INDEX = "index"


class Progress:
    """Progress of long builds on stderr: an updating line on a terminal, a line per 10% otherwise."""

    LONG = 1000          # passages: below this a build takes well under a second

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.long: bool | None = None
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.long is None:
            self.long = total >= self.LONG
        if not self.long:
            return
        if total <= 1:
            click.echo(f"  {stage} ...", err=True)
            return
        pct = 100 * done // total
        if self.tty:
            click.echo(f"\r  {stage}: {pct:3d}% ({done}/{total})\033[K", err=True, nl=done >= total)
        elif (stage, pct // 10) != self.last:
            self.last = (stage, pct // 10)
            click.echo(f"  {stage}: {pct}% ({done}/{total})", err=True)


def analyzer():
    from .analysis import Analyzer
    return Analyzer()


def build(data: Path, out: Path, quiet: bool = False, using=None):
    from .index import IndexUnusable, build_index
    try:
        return build_index(data, out, using or analyzer(), None if quiet else Progress())
    except IndexUnusable as exc:
        raise click.ClickException(str(exc)) from None


def open_service(index: Path, using=None, answer_cache: int = 1024):
    from .index import IndexUnusable
    from .service import Service
    try:
        return Service(index, using, answer_cache=answer_cache)
    except IndexUnusable as exc:
        raise click.ClickException(str(exc)) from None


@click.group()
@click.version_option(package_name="qa")
@click.option("-v", "--verbose", is_flag=True, help="log what happens")
def main(verbose: bool) -> None:
    """Question answering over policy articles about China's blockchain industry."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.command("index")
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True,
              help="folder of articles (.md/.txt) and glossary.tsv")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True,
              help="index folder; the new version is swapped in atomically")
def index_command(data: Path, out: Path) -> None:
    """Build the index from the data folder and swap it in."""
    r = build(data, out)
    click.echo(f"indexed {r.articles} article{'s' * (r.articles != 1)}: {r.passages} passages, "
               f"{r.facts} facts, {r.terms} terms in {r.seconds:.2f} s")
    click.echo(f"index version {r.version} is now current in {out}/" + (" (unchanged)" if r.reused else ""))


@click.command("ask")
@click.argument("question")
@click.option("--history", "-H", multiple=True, help="an earlier question of the chat (repeat, oldest first)")
@click.option("--index", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True)
@click.option("--top-k", type=click.IntRange(1, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the exact /ask JSON")
def ask_command(question: str, history: tuple[str, ...], index: Path, top_k: int, as_json: bool) -> None:
    """Ask one question."""
    if not question.strip():
        raise click.ClickException("the question is empty")
    body = open_service(index).ask(question, list(history), top_k)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    click.echo(render(body))


def render(body: dict) -> str:
    """A readable answer with its passages and facts."""
    out = [f"Q: {body['question']}"]
    a = body["answer"]
    if a:
        lines = a["text"].splitlines() or [""]
        meta = ", ".join(x for x in (a.get("city") or "", a.get("type", ""), f"confidence {a['confidence']}") if x)
        out.append(f"A: {lines[0]}" + (f"   ({meta})" if len(lines) == 1 else ""))
        out += [f"   {line}" for line in lines[1:]]
        if len(lines) > 1:
            out.append(f"   ({meta})")
    else:
        out.append(f"A: (not in the article) {body['abstain']['message']}")
    if body["passages"]:
        out.append("\nPassages:")
        for i, p in enumerate(body["passages"], 1):
            out.append(f"{i:>3}. [{p['city'] or '-'}] {p['text']}  (score {p['score']}, {p['id']})")
    if body["facts"]:
        out.append("\nFacts:")
        for f in body["facts"]:
            when = f.get("date", "") + (f"..{f['date_end']}" if f.get("date_end") else "")
            val = f.get("value", "")
            out.append(f"  {f.get('city') or '-':<6} {f['kind']:<8} {when or val:<12} {f['text']}")
    out.append(f"\nindex {body['index_version']} · {body['took_ms']} ms")
    return "\n".join(out)


@click.command("serve")
@click.option("--index", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True)
@click.option("--data", type=click.Path(path_type=Path), default=DEFAULT_DATA, show_default=True,
              help="rebuild from here first when the index is missing or older than the data")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="gunicorn workers [default: CPUs, at least 2]")
@click.option("--answer-cache", type=click.IntRange(0, 1_000_000), default=1024, show_default=True,
              help="answers kept per worker for repeated questions (0: off)")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=1000, show_default=True,
              help="open connections per worker; one more is answered 503 at once")
@click.option("--request-timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True,
              help="seconds for a request's line, headers and body to arrive (from its first byte), "
                   "and for each write of a response to be taken; a slower client gets 408 and is cut off")
@click.option("--keepalive", type=click.IntRange(0, 3600), default=5, show_default=True,
              help="seconds an idle keep-alive connection stays open (0: one request per connection)")
@click.option("--worker-class", type=click.Choice(["gevent", "sync"]), default="gevent", hidden=True,
              help="sync: the old model (a worker per connection), for benchmarks only")
def serve_command(index: Path, data: Path, host: str, port: int, workers: int | None, answer_cache: int,
                  max_connections: int, request_timeout: float, keepalive: int, worker_class: str) -> None:
    """Serve the API and chat page with gunicorn (production server, never debug mode)."""
    from .app import create_app
    from .index import is_stale
    from .server import Limits, serve
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    shared = analyzer()
    if data.is_dir() and is_stale(index, data, shared.versions()):
        click.echo(f"index in {index}/ is missing or older than {data}/ or the analyser: building it first",
                   err=True)
        build(data, index, using=shared)
    service = open_service(index, shared, answer_cache)
    app = create_app({"INDEX": str(index), "SERVICE": service})
    click.echo(f"serving index {service.index.version} on http://{host}:{port}/  (Ctrl+C to stop)", err=True)
    serve(app, host, port, workers, Limits(max_connections, request_timeout, keepalive), worker_class)


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--index", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON")
def eval_command(file: Path, index: Path, as_json: bool) -> None:
    """Ask every question of FILE (JSONL) through /ask and judge the answers."""
    from .app import create_app
    from .evaluate import load_examples, run
    try:
        examples = load_examples(file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    client = create_app({"INDEX": str(index), "SERVICE": open_service(index)}).test_client()

    def ask(q: str, history: list[str]):
        r = client.post("/ask", json={"question": q, "history": history})
        return r.status_code, r.get_json(silent=True)

    started = time.perf_counter()
    report = run(examples, ask)
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps({"passed": report.passed, "total": len(report.outcomes),
                               "wrong_answers": report.count("wrong"), "wrong_refusals": report.count("refused"),
                               "groups": report.by_group(), "languages": report.by_lang(),
                               "misses": [{"id": o.example["id"], "q": o.example["q"], "kind": o.kind,
                                           "failures": o.fails} for o in report.outcomes if o.kind]},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(eval_table(report))
        for o in report.outcomes:
            if o.kind:
                click.echo(f"MISS {o.example['id']} ({'wrong answer' if o.kind == 'wrong' else 'wrong refusal'}) "
                           f"{o.example['q']}")
                for f in o.fails:
                    click.echo(f"     {f}")
        click.echo(f"passed {report.passed}/{len(report.outcomes)} in {seconds:.2f} s "
                   f"({report.count('wrong')} wrong answers, {report.count('refused')} wrong refusals)")
    if report.passed != len(report.outcomes):
        sys.exit(1)


def eval_table(report) -> str:
    """Per group and per language: passed, wrong answers, wrong refusals."""
    lines = [f"{'group':<8} {'passed':>9} {'':>6} {'wrong':>6} {'refused':>8}"]
    for title, rows in (("", report.by_group()), ("lang", report.by_lang())):
        if title:
            lines.append(f"{'language':<8}")
        for key, r in rows.items():
            lines.append(f"{key:<8} {r['passed']:>4}/{r['total']:<4} {100 * r['passed'] / r['total']:5.1f}% "
                         f"{r['wrong']:>6} {r['refused']:>8}")
    return "\n".join(lines)


for command in (index_command, ask_command, serve_command, eval_command):
    main.add_command(command)


def register_commands(app) -> None:
    """The same commands on the Flask app (`flask --app qa.app index`), for app.test_cli_runner()."""
    app.cli.add_command(index_command)
    app.cli.add_command(eval_command)
