"""Names vulture reports as unused that something outside our call graph uses.

`make lint` runs vulture over itugraph/, bench/ and tests/ with this file: add a name here
only with the reason it is used (a framework calls it, or a serialiser reads it).
"""

# PEP 562 module hooks: Python calls them on `itugraph.X` and `dir(itugraph)`.
__getattr__  # noqa: B018
__dir__  # noqa: B018

# Used inside a string annotation of typing.cast (itugraph/answers.py).
IO  # noqa: B018

# Dataclass fields serialised with dataclasses.asdict (report JSON, bench results JSON).
expected_in_graph  # noqa: B018
stated_by  # noqa: B018
p99_ms  # noqa: B018
max_ms  # noqa: B018

# Flask calls these: route handlers and error handlers registered by decorators.
_api_error  # noqa: B018
_library_error  # noqa: B018
_http_error  # noqa: B018
healthz  # noqa: B018
readyz  # noqa: B018
list_queries  # noqa: B018
run_query  # noqa: B018
openapi  # noqa: B018 (the /openapi.json route)
_sparql_query  # noqa: B018 (a schemathesis serializer, tests/test_web_openapi.py)
implicit_sequence_conversion  # noqa: B018 (a Flask Response attribute we set)

# Flask routes and blueprint hooks registered by decorators.
dumps_root  # noqa: B018
dump_file  # noqa: B018
named_graph  # noqa: B018
_warm  # noqa: B018 (@bp.record_once)

# Keyword arguments handed to Jinja templates (read by the templates, not by Python).
heading_lang  # noqa: B018
title_lang  # noqa: B018
term_count  # noqa: B018
results_known  # noqa: B018
results_total  # noqa: B018

# pytest hooks and HTMLParser callbacks, called by their frameworks.
pytest_sessionstart  # noqa: B018
pytest_collection_modifyitems  # noqa: B018
_sparql_parses_shared  # noqa: B018 (an autouse fixture)
handle_starttag  # noqa: B018
handle_endtag  # noqa: B018
handle_data  # noqa: B018

# pytest reads module-level `pytestmark`; Flask reads `app.testing`.
pytestmark  # noqa: B018
testing  # noqa: B018
strict  # noqa: B018 (tests/validation/test_renderers.py sets a report attribute)

# Flask calls after-request hooks registered with @bp.after_request.
_remember_language  # noqa: B018
# expat calls the handlers set on a parser (itugraph/input_guard.py).
EntityDeclHandler  # noqa: B018
StartElementHandler  # noqa: B018
# http.server calls these on the test proxy's handler (tests/fault_proxy.py): the protocol
# version it speaks, its log hook, and one method per HTTP verb.
protocol_version  # noqa: B018
log_message  # noqa: B018
do_GET  # noqa: B018
do_POST  # noqa: B018
do_PUT  # noqa: B018
do_DELETE  # noqa: B018
