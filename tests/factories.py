"""Small valid project files for tests, built as text so each test can break one thing."""

from __future__ import annotations

from pathlib import Path

import yaml

PHASES = ("investigating", "identified", "monitoring", "update", "resolved", "postmortem")

OPENING = {
    "en": "Right now {{ impact }}. We are working on it. Next update by {{ next_update_at }}.",
    "fa": "در حال حاضر {{ impact }}. در حال رسیدگی هستیم. به‌روزرسانی بعدی تا {{ next_update_at }}.",
    "uk": "Зараз {{ impact }}. Ми працюємо над цим. Наступне оновлення до {{ next_update_at }}.",
    "lv": "Šobrīd {{ impact }}. Mēs pie tā strādājam. Nākamā ziņa līdz {{ next_update_at }}.",
}
CLOSING = {
    "en": "Resolved: everything works normally again. Thank you for bearing with us.",
    "fa": "برطرف شد: همه چیز دوباره عادی کار می‌کند. از شکیبایی شما سپاسگزاریم.",
    "uk": "Вирішено: усе знову працює як звичайно. Дякуємо за терпіння.",
    "lv": "Atrisināts: viss atkal darbojas kā parasti. Paldies par pacietību.",
}


def runbook_data(runbook_id: str = "sample", languages: tuple[str, ...] = ("en",)) -> dict:
    messages: dict = {}
    for phase in PHASES:
        texts = CLOSING if phase in ("resolved", "postmortem") else OPENING
        messages[phase] = {
            "long": {
                lang: {"subject": f"{phase} {{{{ title }}}}", "body": texts[lang]}
                for lang in languages
            },
            "chat": {lang: texts[lang] for lang in languages},
            "short": {lang: texts[lang] for lang in languages},
        }
    return {
        "id": runbook_id,
        "title": "Sample outage",
        "summary": "Used by the tests.",
        "languages": list(languages),
        "variables": {
            "impact": {"required": True, "max_length": 80, "example": "checkout fails"},
        },
        "messages": messages,
    }


def write_runbook(project: Path, data: dict | str, name: str | None = None) -> Path:
    text = (
        data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    )
    runbook_id = name or (data["id"] if isinstance(data, dict) else "sample")
    path = project / "runbooks" / f"{runbook_id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_channel(project: Path, **fields: object) -> Path:
    data = {"kind": "webhook", "url": "json://127.0.0.1:9/hook", **fields}
    path = project / "channels" / f"{data['name']}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
