"""`planqa eval …` — registered as a plugin of the product CLI (entry point ``planqa.commands``)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

app = typer.Typer(help="Đánh giá độ chính xác và tốc độ / evaluation suite.", no_args_is_help=True)


def _engine(home: Path | None):
    from api.cli import _engine as product_engine
    return product_engine(home)


@app.command("gold")
def gold(split: str = typer.Option("all", help="dev | test | all"),
         systems: str = typer.Option("bm25,dense,naive,hybrid,full", help="Các hệ thống, cách nhau bởi dấu phẩy."),
         questions: Path = typer.Option(None, help="Tệp JSONL câu hỏi (mặc định eval/gold/questions.jsonl)."),
         report: Path = typer.Option(None, help="Thư mục ghi báo cáo Markdown + PNG."),
         json_out: bool = typer.Option(False, "--json"),
         check_baseline: Path = typer.Option(None, help="Thất bại nếu thấp hơn baseline quá 2 điểm."),
         home: Path = typer.Option(None, "--home")):
    """Chạy bộ câu hỏi vàng qua các hệ thống và so sánh."""
    from rich.console import Console
    from rich.table import Table

    from eval.gold_eval import load_gold, run_gold
    names = [s.strip() for s in systems.split(",") if s.strip()]
    qs = load_gold(questions, split)
    if not qs:
        raise typer.BadParameter(f"Không có câu hỏi nào cho split={split!r}")
    results = run_gold(_engine(home), names, qs)
    if json_out:
        sys.stdout.write(json.dumps({"split": split, "systems": {k: v.metrics for k, v in results.items()},
                                     "by_type": {k: v.by_type for k, v in results.items()}},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        t = Table(title=f"PlanQA gold eval (split={split}, n={len(qs)})")
        keys = ["answer_accuracy", "citation_precision", "recall@1", "recall@10", "mrr@10", "abstention_recall",
                "abstention_false_abstention_rate", "latency_p50_ms"]
        t.add_column("system")
        for k in keys:
            t.add_column(k.replace("abstention_", "abst_"))
        for name, r in results.items():
            t.add_row(name, *[f"{r.metrics[k]:.3f}" if not k.endswith("ms") else f"{r.metrics[k]:.1f}" for k in keys])
        Console(stderr=True).print(t)
    if report:
        from eval.report import write_gold_report
        path = write_gold_report(results, Path(report), "PlanQA — gold question set", split)
        typer.echo(f"report: {path}", err=True)
    if check_baseline:
        _check(results, check_baseline)


def _check(results, baseline_path: Path) -> None:
    base = json.loads(Path(baseline_path).read_text())
    failed = []
    for key in ("answer_accuracy", "citation_precision"):
        got = results["full"].metrics[key]
        want = base[key]
        if got < want - 0.02:
            failed.append(f"{key}: {got:.3f} < baseline {want:.3f} - 0.02")
    if failed:
        typer.echo("REGRESSION: " + "; ".join(failed), err=True)
        raise typer.Exit(1)
    typer.echo("baseline check passed", err=True)


@app.command("govdocs")
def govdocs(data: Path = typer.Option(Path("../shared/data/govdocs"), help="Thư mục govdocs (đọc tại chỗ, không sao chép)."),
            report: Path = typer.Option(None), json_out: bool = typer.Option(False, "--json"),
            home: Path = typer.Option(None, "--home", help="Thư mục chỉ mục riêng cho govdocs (mặc định $PLANQA_HOME/eval-cache/govdocs)."),
            split: str = typer.Option("test", help="test (viết mù, không dùng để tinh chỉnh), dev hoặc all.")):
    """Kiểm tra khả năng tổng quát trên các kế hoạch chưa từng thấy (govdocs)."""
    from eval.govdocs import run_govdocs
    from index.settings import home as settings_home
    h = Path(home) if home else settings_home() / "eval-cache" / "govdocs"
    h.mkdir(parents=True, exist_ok=True)
    models = h / "models"
    if not models.exists() and (settings_home() / "models").exists():
        models.symlink_to((settings_home() / "models").resolve())
    results = run_govdocs(data, _engine, h, split=split)
    out = {k: {"metrics": v.metrics, "by_type": v.by_type} for k, v in results.items()}
    if json_out:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        for k, v in results.items():
            typer.echo(f"{k}: answer_accuracy={v.metrics['answer_accuracy']:.3f} recall@1={v.metrics['recall@1']:.3f} "
                       f"recall@10={v.metrics['recall@10']:.3f} n={v.metrics['n']}")
    if report:
        from eval.report import write_gold_report
        write_gold_report(results, Path(report), f"PlanQA — generalization on govdocs (unseen plans, split {split})", "govdocs",
                          name="govdocs")


@app.command("alqac")
def alqac(data: Path = typer.Option(Path("../shared/data/alqac2022"), help="Thư mục ALQAC 2022 (law.json, questions.json)."),
          json_out: bool = typer.Option(False, "--json"), report: Path = typer.Option(None),
          limit: int = typer.Option(0, help="Chỉ dùng N câu hỏi đầu (0 = tất cả)."),
          home: Path = typer.Option(None, "--home")):
    """Đánh giá truy hồi trên ALQAC 2022: Recall@1/5/10, MRR@10 cho bm25, dense, hybrid."""
    from eval.alqac import run_alqac
    res = run_alqac(data, home=home, limit=limit, report=report)
    if json_out:
        sys.stdout.write(json.dumps(res, ensure_ascii=False, indent=2) + "\n")
    else:
        for name, m in res["systems"].items():
            typer.echo(f"{name:8s} " + "  ".join(f"{k}={v:.3f}" for k, v in m.items()))
