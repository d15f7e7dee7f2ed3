"""Run inside a private D-Bus session with gnome-keyring (see test_tokens.py): the token
path of a real client against a real engine, printed as one JSON line."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

import keyring

from nemodesk.client.client import NemoClient
from nemodesk.client.tokens import SERVICE, TokenStore
from tests.client.support import local_config


async def main(url: str) -> dict:
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    config = local_config(url)
    store = TokenStore()
    async with NemoClient(config, store) as first:
        token = await first.token()
        source1 = first.token_source
        await first.create_session()
    stored = keyring.get_password(SERVICE, config.account)
    async with NemoClient(config, TokenStore()) as second:  # a new run of the app
        again = await second.token()
        source2 = second.token_source
        await second.forget_token()
    after_forget = keyring.get_password(SERVICE, config.account)
    return {
        "secure": store.is_secure,
        "backend": type(keyring.get_keyring()).__module__,
        "saved": stored == token,
        "reused": again == token,
        "sources": [source1, source2],
        "after_forget": after_forget,
        "token": token,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
