"""Many wrong pairing codes at once from one client: at most the limit are checked."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from village.accounts.models import User
from village.onboarding import services
from village.onboarding.models import FailedRedemption
from village.onboarding.services import CodeRefusedError, TooManyAttemptsError

GUESSES = 40

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # The SQLite test database lives in memory with a shared cache: a second thread that writes
    # while another holds a write lock gets "database table is locked" at once (no busy wait),
    # so parallel requests cannot be simulated there.
    pytest.mark.postgresql,
]


def fire(guess) -> dict[str, int]:
    """Run ``guess`` in ``GUESSES`` threads released together; count each outcome."""
    outcomes: dict[str, int] = {"checked": 0, "blocked": 0, "other": 0}
    lock = threading.Lock()
    start = threading.Barrier(GUESSES)

    def one() -> None:
        start.wait()
        try:
            guess()
        except CodeRefusedError:
            outcome = "checked"
        except TooManyAttemptsError:
            outcome = "blocked"
        except Exception:  # any other outcome is counted, and fails the test
            outcome = "other"
        else:
            outcome = "other"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=one) for _n in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_wrong_codes_of_one_account_check_at_most_the_limit() -> None:
    guesser = User.objects.create_user("guesser", email="g@families.village.test")
    outcomes = fire(
        lambda: services.pairing_code_redeem(
            user=guesser, raw_code="ZZZZ-ZZZZ", ip_address="10.0.0.9"
        )
    )
    assert outcomes == {
        "checked": services.FAILURE_LIMIT,
        "blocked": GUESSES - services.FAILURE_LIMIT,
        "other": 0,
    }
    assert FailedRedemption.objects.count() == services.FAILURE_LIMIT


def test_parallel_sign_ups_with_wrong_codes_from_one_address_check_at_most_the_limit() -> None:
    counter = iter(range(GUESSES))
    lock = threading.Lock()

    def sign_up() -> None:
        with lock:
            number = next(counter)
        services.guardian_signup(
            data=services.SignupData(
                first_name="Guess",
                last_name=str(number),
                email=f"guess{number}@elsewhere.test",
                password="a-long-family-passphrase-42",
                language="en",
            ),
            raw_code="ZZZZ-ZZZZ",
            ip_address="10.0.0.10",
            base_url="http://testserver",
        )

    outcomes = fire(sign_up)
    assert outcomes["checked"] == services.FAILURE_LIMIT
    assert outcomes["other"] == 0
    assert not User.objects.filter(email__endswith="@elsewhere.test").exists()
