"""The `qa` command: index, versions, rollback, ask, serve, eval.  Thin layers over the core."""
from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import click

DEFAULT_DATA = "data"
DEFAULT_INDEX = "index"
DEFAULT_KEEP = 3                 # qa.index.KEEP_VERSIONS (not imported: `qa --help` stays light)
MAX_ARTICLE_MB = 10.0            # qa.source.MAX_ARTICLE_MB


class Progress:
    """Progress of long builds on stderr: an updating line on a terminal, a line per 10% otherwise."""

    LONG = 200           # articles to analyse: below this a build takes about a second or less

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.long: bool | None = None
        self.last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.long is None and total > 1:                # decided by the articles to analyse
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


def build(data: Path, out: Path, quiet: bool = False, using=None, keep: int = DEFAULT_KEEP,
          max_article_mb: float = MAX_ARTICLE_MB, workers: int | None = None):
    """Build and swap in a version (the data folder is checked before the analyser loads)."""
    from .index import IndexUnusable, build_index, open_source
    try:
        source = open_source(data, max_article_mb, out)
        return build_index(data, out, using or analyzer(), None if quiet else Progress(), keep=keep,
                           max_article_mb=max_article_mb, source=source, workers=workers)
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
@click.option("--keep", type=click.IntRange(1, 1000), default=DEFAULT_KEEP, show_default=True,
              help="versions kept: the new one, the one it replaces, then the most recently built")
@click.option("--max-article-mb", type=click.FloatRange(0, min_open=True), default=MAX_ARTICLE_MB,
              show_default=True, help="refuse a data folder with a file larger than this")
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="processes that analyse the articles [default: every core, when there is over 4 MB to analyse]")
def index_command(data: Path, out: Path, keep: int, max_article_mb: float, workers: int | None) -> None:
    """Build the index from the data folder and swap it in (unchanged articles come from the cache)."""
    r = build(data, out, keep=keep, max_article_mb=max_article_mb, workers=workers)
    click.echo(f"indexed {r.articles} article{'s' * (r.articles != 1)}: {r.passages} passages, "
               f"{r.facts} facts, {r.terms} terms in {r.seconds:.2f} s")
    if r.analysed < r.articles:
        click.echo(f"{r.articles - r.analysed} unchanged article{'s' * (r.articles - r.analysed != 1)} "
                   f"reused from the cache, {r.analysed} analysed")
    click.echo(f"index version {r.version} is now current in {out}/" + (" (unchanged)" if r.reused else ""))


@click.command("versions")
@click.option("--index", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print the list as JSON")
def versions_command(index: Path, as_json: bool) -> None:
    """List the versions kept in an index folder, most recently built first (* = current)."""
    from .versions import list_versions
    versions = list_versions(index)
    if not versions:
        raise click.ClickException(f"no index at {index}: build one with `qa index --out {index}`")
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in versions], ensure_ascii=False, indent=2))
        return
    click.echo(f"  {'version':<16}  {'built at (UTC)':<19}  {'articles':>8}  {'passages':>8}  {'facts':>6}  source")
    for v in versions:
        c = v.counts
        click.echo(f"{'*' if v.current else ' '} {v.id:<16}  {short_time(v.built_at):<19}  "
                   f"{c.get('articles', '?'):>8}  {c.get('passages', '?'):>8}  {c.get('facts', '?'):>6}  "
                   f"{v.problem or v.source or '?'}")


def short_time(iso: str) -> str:
    return iso.replace("T", " ")[:19]


@click.command("rollback")
@click.argument("version", required=False)
@click.option("--index", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True)
def rollback_command(version: str | None, index: Path) -> None:
    """Point the index at an earlier kept version: VERSION (an id or its start), else the one built before."""
    from .analysis import analyzer_versions
    from .index import IndexUnusable, current_version_name
    from .versions import rollback
    before = current_version_name(index)
    try:
        target = rollback(index, version, analyzer_versions())
    except IndexUnusable as exc:
        raise click.ClickException(str(exc)) from None
    if target.id == before:
        click.echo(f"index version {target.id} is already current in {index}/")
        return
    click.echo(f"index version {target.id} (built {short_time(target.built_at)} UTC from {target.source}) "
               f"is now current in {index}/, was {before}; a running qa serve switches to it")


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
    summary = (body.get("understood") or {}).get("summary")
    if summary:
        out.append(f"   (understood: {summary})")
    a = body["answer"]
    if a and a.get("localized"):
        here = a["localized"]["text"].splitlines() or [""]
        out += [f"A: {here[0]}"] + [f"   {line}" for line in here[1:]]
        out.append(f"   [{a['localized']['lang']}; the article's Japanese below]")
    if a:
        lines = a["text"].splitlines() or [""]
        meta = ", ".join(x for x in (a.get("city") or "", a.get("type", ""), f"confidence {a['confidence']}") if x)
        lead = "   " if a.get("localized") else "A: "
        out.append(f"{lead}{lines[0]}" + (f"   ({meta})" if len(lines) == 1 else ""))
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
@click.option("--index", type=click.Path(path_type=Path), default=DEFAULT_INDEX, show_default=True,
              help="the index folder to serve (built first only when it has no index)")
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="the folder the index is built from: rebuild first when it changed since")
@click.option("--rebuild", is_flag=True, help="rebuild the index first (from --data, else from its own source)")
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
def serve_command(index: Path, data: Path | None, rebuild: bool, host: str, port: int, workers: int | None,
                  answer_cache: int, max_connections: int, request_timeout: float, keepalive: int,
                  worker_class: str) -> None:
    """Serve the API and chat page with gunicorn (production server, never debug mode)."""
    from .app import create_app
    from .index import IndexUnusable
    from .serve_rules import plan_index
    from .server import Limits, serve
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    shared = analyzer()
    try:
        plan = plan_index(index, data, rebuild, shared.versions(), Path(DEFAULT_INDEX), Path(DEFAULT_DATA))
    except IndexUnusable as exc:
        raise click.ClickException(str(exc)) from None
    if plan.say:
        click.echo(plan.say, err=True)
    if plan.build_from:
        build(plan.build_from, index, using=shared)
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


for command in (index_command, versions_command, rollback_command, ask_command, serve_command, eval_command):
    main.add_command(command)


def register_commands(app) -> None:
    """The same commands on the Flask app (`flask --app qa.app index`), for app.test_cli_runner()."""
    app.cli.add_command(index_command)
    app.cli.add_command(eval_command)
