"""The product's own words to subscribers, per language: the confirmation message, the
unsubscribe line of every email, the SMS opt-out line (counted in the length proofs) and
the answers to SMS START and HELP. English is the fallback."""

from __future__ import annotations

CONFIRM_SUBJECT = {
    "en": "Please confirm your subscription to status updates",
    "fa": "لطفاً اشتراک اطلاع‌رسانی وضعیت را تأیید کنید",
    "uk": "Підтвердьте, будь ласка, підписку на оновлення статусу",
    "lv": "Lūdzu, apstipriniet statusa paziņojumu abonementu",
}
CONFIRM_BODY = {
    "en": "Someone (we hope you) asked to receive status updates at this address.\n\n"
    "To confirm, open this link:\n{link}\n\n"
    "If it was not you, ignore this message: you will hear nothing more from us.",
    "fa": "کسی (امیدواریم شما) خواسته است به‌روزرسانی‌های وضعیت به این نشانی فرستاده شود.\n\n"
    "برای تأیید، این پیوند را باز کنید:\n{link}\n\n"
    "اگر شما نبودید، این پیام را نادیده بگیرید: دیگر پیامی از ما نخواهید گرفت.",
    "uk": "Хтось (сподіваємося, ви) попросив надсилати оновлення статусу на цю адресу.\n\n"
    "Щоб підтвердити, відкрийте посилання:\n{link}\n\n"
    "Якщо це були не ви, проігноруйте цей лист: більше ми нічого не надішлемо.",
    "lv": "Kāds (cerams, jūs) lūdza sūtīt statusa paziņojumus uz šo adresi.\n\n"
    "Lai apstiprinātu, atveriet šo saiti:\n{link}\n\n"
    "Ja tas nebijāt jūs, neņemiet šo vēstuli vērā: vairāk mēs neko nesūtīsim.",
}
CONFIRM_SMS = {
    "en": "Confirm status updates: {link}",
    "fa": "تأیید اطلاع‌رسانی وضعیت: {link}",
    "uk": "Підтвердіть оновлення статусу: {link}",
    "lv": "Apstipriniet statusa paziņojumus: {link}",
}
UNSUBSCRIBE_LINE = {
    "en": "You receive this because you subscribed to status updates. Unsubscribe: {link}",
    "fa": "این پیام را چون مشترک اطلاع‌رسانی وضعیت شده‌اید دریافت می‌کنید. لغو اشتراک: {link}",
    "uk": "Ви отримали цей лист, бо підписалися на оновлення статусу. Відписатися: {link}",
    "lv": "Jūs to saņemat, jo abonējāt statusa paziņojumus. Atteikties: {link}",
}
SMS_OPT_OUT = {
    "en": "Reply STOP to opt out.",
    "fa": "برای لغو، STOP بفرستید.",
    "uk": "Відповідайте STOP, щоб відписатися.",
    "lv": "Atbildiet STOP, lai atteiktos.",
}
SMS_STOPPED = {
    "en": "You are unsubscribed and will receive no more messages. Reply START to subscribe again.",
    "fa": "اشتراک شما لغو شد و دیگر پیامی نمی‌گیرید. برای اشتراک دوباره START بفرستید.",
    "uk": "Вас відписано, повідомлень більше не буде. Відповідайте START, щоб підписатися знову.",
    "lv": "Jūs esat atteicies un vairs nesaņemsiet ziņas. Atbildiet START, lai abonētu atkal.",
}
SMS_STARTED = {
    "en": "You are subscribed to status updates again. Reply STOP to opt out.",
    "fa": "اشتراک اطلاع‌رسانی وضعیت دوباره فعال شد. برای لغو، STOP بفرستید.",
    "uk": "Ви знову підписані на оновлення статусу. Відповідайте STOP, щоб відписатися.",
    "lv": "Jūs atkal saņemsiet statusa paziņojumus. Atbildiet STOP, lai atteiktos.",
}
SMS_HELP = {
    "en": "Status updates. Reply STOP to opt out, START to subscribe again.",
    "fa": "اطلاع‌رسانی وضعیت. برای لغو STOP و برای اشتراک دوباره START بفرستید.",
    "uk": "Оновлення статусу. STOP — відписатися, START — підписатися знову.",
    "lv": "Statusa paziņojumi. STOP — atteikties, START — abonēt atkal.",
}
FALLBACK = "en"


def said(table: dict[str, str], lang: str, **values: str) -> str:
    """The text of ``table`` in ``lang`` (English when it has none), filled in."""
    return table.get(lang, table[FALLBACK]).format(**values)


def with_sms_opt_out(text: str, lang: str) -> str:
    """``text`` as a subscriber's SMS carries it: the language's opt-out line at the end.
    The fan-out sends it so and the length proofs measure it so."""
    return f"{text.rstrip()}\n{said(SMS_OPT_OUT, lang)}"
