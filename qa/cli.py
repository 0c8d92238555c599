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

    LONG = 200           # articles to analyse: below this a build takes about a second or less

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
def serve_command(index: Path, data: Path, host: str, port: int, workers: int | None, answer_cache: int) -> None:
    """Serve the API and chat page with gunicorn (production server, never debug mode)."""
    from .app import create_app
    from .index import is_stale
    from .server import serve
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
    serve(app, host, port, workers)


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
        click.echo(json.dumps({"passed": report.passed, "total": len(report.results),
                               "groups": {k: {"passed": p, "total": t} for k, (p, t) in report.by_group().items()},
                               "misses": [{"id": ex["id"], "q": ex["q"], "failures": f}
                                          for ex, f in report.results if f]}, ensure_ascii=False, indent=2))
    else:
        click.echo(f"{'group/lang':<12} {'passed':>8}")
        for group, (p, t) in report.by_group().items():
            click.echo(f"{group:<12} {p:>4}/{t:<3} {100 * p / t:5.1f}%")
        for ex, fails in report.results:
            if fails:
                click.echo(f"MISS {ex['id']} {ex['q']}")
                for f in fails:
                    click.echo(f"     {f}")
        click.echo(f"passed {report.passed}/{len(report.results)} in {seconds:.2f} s")
    if report.passed != len(report.results):
        sys.exit(1)


for command in (index_command, ask_command, serve_command, eval_command):
    main.add_command(command)


def register_commands(app) -> None:
    """The same commands on the Flask app (`flask --app qa.app index`), for app.test_cli_runner()."""
    app.cli.add_command(index_command)
    app.cli.add_command(eval_command)
