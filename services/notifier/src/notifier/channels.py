"""The channels a message leaves by, behind one port (`Channel`): e-mail over SMTP and SMS through a provider's HTTP
API. A channel raises `NotSent` with whether trying again could help; the sender decides when.

Each send carries the delivery's id as its reference (the e-mail's Message-ID, the SMS provider's client reference),
so a message sent again after a crash between sending and recording is recognisable as the same one."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

import aiosmtplib
import httpx

from notifier.domain.messages import Message
from notifier.settings import NotifierSettings


class NotSent(Exception):
    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Channel(Protocol):
    name: str

    async def send(self, address: str, message: Message, reference: str) -> None: ...


class Email:
    name = "email"

    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.password = settings.smtp_password_file.read_text().strip() if settings.smtp_password_file else None

    async def send(self, address: str, message: Message, reference: str) -> None:
        mail = EmailMessage()
        mail["From"] = self.settings.mail_from
        mail["To"] = address
        mail["Subject"] = f"【链融】{message.title}"
        mail["Message-ID"] = f"<{reference}@notifier.lianrong>"
        mail["Date"] = formatdate(localtime=False)
        mail.set_content(f"{message.body}\n\n—— 链融 · 东莞产业链金融服务平台（此邮件由系统发送，请勿直接回复）\n")
        try:
            await aiosmtplib.send(
                mail,
                hostname=self.settings.smtp_host,
                port=self.settings.smtp_port,
                start_tls=self.settings.smtp_starttls,
                username=self.settings.smtp_username or None,
                password=self.password,
                timeout=self.settings.send_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise NotSent(f"recipient refused: {exc}", permanent=True) from exc
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx: the server will not take it, however often it is offered; 4xx: try again later.
            raise NotSent(f"SMTP {exc.code} {exc.message}", permanent=500 <= exc.code < 600) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc


class Sms:
    """A provider's JSON API: POST {sms_url}/v1/messages {to, sign, text, reference} with a bearer key; 2xx sent,
    429 and 5xx try again, any other 4xx is final (a number the provider refuses)."""

    name = "sms"

    def __init__(self, settings: NotifierSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.key = settings.sms_api_key_file.read_text().strip() if settings.sms_api_key_file else ""

    async def send(self, address: str, message: Message, reference: str) -> None:
        to = address if address.startswith("+") else f"+86{address}"
        try:
            response = await self.client.post(
                f"{self.settings.sms_url.rstrip('/')}/v1/messages",
                json={"to": to, "sign": self.settings.sms_sign, "text": message.sms(), "reference": reference},
                headers={"Authorization": f"Bearer {self.key}"} if self.key else {},
            )
        except httpx.HTTPError as exc:
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc
        if response.is_success:
            return
        final = 400 <= response.status_code < 500 and response.status_code != 429
        raise NotSent(f"HTTP {response.status_code} {response.text[:200]}", permanent=final)
