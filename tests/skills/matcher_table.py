"""Prompts and the skills a person would want loaded for them, from tests/skills/catalog.

Written before the matcher, and not tuned to it: each row says what a careful user of
these ten skills would expect. Some rows are traps, where a skill's word appears in a
prompt that has nothing to do with the skill; loading a skill there wastes context, so
a false match is the worse error.
"""

from __future__ import annotations

TABLE: list[tuple[str, frozenset[str]]] = [
    # prompts that want a skill
    ("Fill out the tax PDF in docs/ with my address", frozenset({"pdf-forms"})),
    ("extract the tables from report.pdf", frozenset({"pdf-forms"})),
    ("make an Excel sheet with monthly totals and a chart", frozenset({"excel-reports"})),
    ("add a SUM formula column to budget.xlsx", frozenset({"excel-reports"})),
    ("cut a release and update the changelog", frozenset({"git-release"})),
    ("bump version to 2.1.0 and tag it", frozenset({"git-release"})),
    ("the Dockerfile build fails on alpine", frozenset({"docker-compose"})),
    ("add redis to our docker compose setup", frozenset({"docker-compose"})),
    ("make the container image smaller", frozenset({"docker-compose"})),
    ("write an alembic migration adding an index on users.email", frozenset({"sql-migrations"})),
    (
        "this schema change locks the orders table, is there a safer way?",
        frozenset({"sql-migrations"}),
    ),
    ("test_login is flaky, please fix it", frozenset({"pytest-fixtures"})),
    ("add a pytest fixture for a temporary database", frozenset({"pytest-fixtures"})),
    ("generate OpenAPI docs for the /users endpoints", frozenset({"api-docs"})),
    ("our swagger page is missing the auth header", frozenset({"api-docs"})),
    ("make these slides follow our brand colors", frozenset({"brand-guidelines"})),
    ("build a React date picker with Tailwind", frozenset({"react-components"})),
    ("do a security review of the upload handler", frozenset({"security-review"})),
    ("check this code for SQL injection vulnerabilities", frozenset({"security-review"})),
    ("/pdf-forms w9.pdf", frozenset({"pdf-forms"})),
    ("/git-release", frozenset({"git-release"})),
    ("write pytest tests for the PDF export", frozenset({"pytest-fixtures", "pdf-forms"})),
    # prompts that want none
    ("rename the variable foo to bar in utils.py", frozenset()),
    ("why is this loop so slow?", frozenset()),
    ("explain what this regex does", frozenset()),
    ("fix the typo in the README", frozenset()),
    ("what does parse_args return?", frozenset()),
    ("add type hints to the config module", frozenset()),
    ("the CI job times out after 10 minutes", frozenset()),
    ("refactor the payment service into smaller functions", frozenset()),
    ("translate the error messages to German", frozenset()),
    ("what is the difference between a list and a tuple", frozenset()),
    ("implement retry with exponential backoff in the HTTP client", frozenset()),
    ("our brand new parser crashes on empty input", frozenset()),
    ("the release notes page has a broken link", frozenset()),
    ("add a migration guide for v2 users to the docs", frozenset()),
    ("write a short email to the team about the outage", frozenset()),
    ("how do I review this pull request quickly?", frozenset()),
    ("/no-such-skill do something", frozenset()),
]
