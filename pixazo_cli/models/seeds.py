"""The seeds the tool picks itself (a random one, a batch line's or a grid's derived one, -n's
S..S+N-1) stay within the model's own seed range: a model file that says its seed is 0-1000
is never sent 424242 the user did not ask for."""

from __future__ import annotations

from pixazo_cli.errors import UsageError
from pixazo_cli.models.spec import Field, Model

SEED_RANGE = (0, 2**31 - 1)  # fits every model's integer seed


def seed_bounds(spec: Field) -> tuple[int, int]:
    """The seeds the tool may pick for a seed field: the field's range where it overlaps the
    tool's own (never negative there: some gateways read -1 as "random", which no record
    could make again), else the field's own, at most as wide as the tool's."""
    low = SEED_RANGE[0] if spec.low is None else int(spec.low)
    high = SEED_RANGE[1] if spec.high is None else int(spec.high)
    if max(low, SEED_RANGE[0]) <= min(high, SEED_RANGE[1]):
        return max(low, SEED_RANGE[0]), min(high, SEED_RANGE[1])
    width = SEED_RANGE[1] - SEED_RANGE[0]
    if spec.high is None:  # a min alone, above the tool's range
        return low, low + width
    return (high - width if spec.low is None else max(low, high - width)), high


def fit_seed(model: Model, number: int) -> int:
    """`number` brought into the model's seed range, modulo its span: a seed already in the
    range is kept, so a batch line's derived seed is the same as before for most models.
    A model that takes no seed has no range: the number as it is."""
    spec = model.by_flag.get("seed")
    if spec is None:
        return number
    low, high = seed_bounds(spec)
    return low + (number - low) % (high - low + 1)


def first_of_run(model: Model, given: int | None, picked: int, count: int) -> int:
    """The S of -n's seeds S..S+count-1, all within the model's range: the user's --seed S
    (refused, before anything is sent, where the run would pass the model's max), else the
    tool's pick, moved down where the run would not fit above it."""
    spec = model.by_flag["seed"]
    low, high = seed_bounds(spec)
    if count > high - low + 1:
        raise UsageError(f"-n {count} needs {count} different seeds, but {model.name} takes "
                         f"only {high - low + 1} ({low} to {high}).",
                         hint=f"Ask for at most {high - low + 1}.")
    if given is None:
        return min(picked, high - count + 1)
    last = given + count - 1
    if spec.high is not None and last > spec.high:
        raise UsageError(f"-n {count} from --seed {given} would send seeds up to {last}, above "
                         f"{model.name}'s highest seed ({spec.high:g}).",
                         hint=f"Start at --seed {int(spec.high) - count + 1} or lower, or ask "
                         "for fewer.")
    return given
