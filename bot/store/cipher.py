"""Secrets kept at rest (Slack tokens, webhook signing secrets) are encrypted with Fernet.
COACHBOT_TOKEN_KEYS lists the keys: the first encrypts, any of them decrypts, so a key can be
rotated by putting a new one in front."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bot.render.sentences import sentence


class TokenCipher:
    def __init__(self, keys: tuple[str, ...]) -> None:
        if not keys:
            raise ValueError(sentence("no_token_key"))
        self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, value: str) -> str:
        try:
            return self._fernet.decrypt(value.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise ValueError(sentence("token_undecryptable")) from error
