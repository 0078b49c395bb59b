"""`pixazo auth status [--check]`: where the key comes from, and whether the gateway takes it.

The check costs nothing: it asks the (free) status endpoint about a request id no job has.
The gateway checks the key before it looks the id up, so 401/403 means the key is refused and
404 means it was accepted. A 404 also comes from an address that is not the gateway at all (a
base URL with a stray path): so the same question is asked once more without a key, and only
when that is refused does the 404 count as "the key works"."""

from __future__ import annotations

from pixazo_cli.commands.options import GlobalOptions
from pixazo_cli.commands.session import Session
from pixazo_cli.errors import AuthError, GatewayError, PixazoError, UnknownRequest
from pixazo_cli.settings import config

PROBE_ID = "pixazo-key-check-0000000000"  # no real job has an id of this shape
CHECK_SECONDS = 30.0


def run_auth_status(check: bool, globals_: GlobalOptions) -> None:
    with Session(globals_, timeout=CHECK_SECONDS) as session:
        if check:
            session.base_url()  # with --sandbox: started here, so its key is the one shown
        key = session.settings.require_key()  # the one "no key" error, naming every way to give one
        session.ui.result_line(f"{config.mask(key)} from {session.settings.key_source}")
        if check:
            check_key(session)


def check_key(session: Session) -> None:
    where = session.base_url()
    gateway = session.gateway()  # a base URL it refuses is a usage error: nothing was sent
    try:
        reply = gateway.status_once(PROBE_ID)
    except UnknownRequest:
        _confirm_keys_are_checked(session, where)
        session.ui.say(f"The gateway at {where} accepts this key (checked with a status request "
                       "for a made-up id; nothing was charged).")
        return
    except AuthError as refused:
        raise AuthError(refused.message, hint=f"The key came from {session.settings.key_source}"
                        "; store the right one with `pixazo auth login`.") from None
    except PixazoError as other:  # a 5xx, a network error, an unreadable reply…
        raise GatewayError(f"Cannot tell whether the key works: {_lower_first(other.message)}",
                           hint=other.hint or f"Check the network and the base URL ({where}).",
                           ) from None
    raise GatewayError(f"Cannot tell whether the key works: the gateway at {where} answered "
                       f"{reply.status} for a request id that does not exist.",
                       hint=_NOT_THE_GATEWAY)


def _confirm_keys_are_checked(session: Session, where: str) -> None:
    """The same request without a key must be refused, or the 404 proved nothing."""
    from pixazo_cli.http.client import Gateway

    keyless = Gateway(where, "", session.deadline, session.clock,
                      log=session.ui.trace if session.ui.verbose else None)
    try:
        keyless.status_once(PROBE_ID)
    except AuthError:
        return
    except UnknownRequest:  # the same 404 without a key: whatever answers checks no key
        raise _no_key_check(where) from None
    except PixazoError as other:
        raise GatewayError(f"Cannot tell whether the key works: {_lower_first(other.message)}",
                           hint=other.hint) from None
    finally:
        keyless.close()
    raise _no_key_check(where)


def _no_key_check(where: str) -> GatewayError:
    return GatewayError(f"Cannot tell whether the key works: {where} answers the same without "
                        "a key, so there is no key check there.", hint=_NOT_THE_GATEWAY)


_NOT_THE_GATEWAY = ("Check the base URL (--base-url, PIXAZO_BASE_URL or `pixazo config get "
                    "base_url`): it is the gateway's root, https://gateway.pixazo.ai.")


def _lower_first(sentence: str) -> str:
    """"Cannot reach …" reads on after a colon as "cannot reach …" (names and 404s stay)."""
    return sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence
