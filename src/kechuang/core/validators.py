"""Django validators wrapping the identifier checks, for model and form fields."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .identifiers import orcid_problem, uscc_problem


def validate_uscc(value: str) -> None:
    problem = uscc_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_uscc")  # type: ignore[arg-type]


def validate_orcid(value: str) -> None:
    if value:
        problem = orcid_problem(value)
        if problem:
            raise ValidationError(problem, code="invalid_orcid")  # type: ignore[arg-type]
