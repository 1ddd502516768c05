# Renders a batch of chat templates with Python Jinja2 configured exactly as transformers does
# (transformers/utils/chat_template_utils.py). stdin: [{"template", "context"}]; stdout: [{"ok"} | {"error", "message"}].
import json
import sys
from datetime import datetime

from jinja2.exceptions import TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment


def raise_exception(message):
    raise TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
env.globals["strftime_now"] = strftime_now

results = []
for case in json.load(sys.stdin):
    try:
        results.append({"ok": env.from_string(case["template"]).render(**case["context"])})
    except Exception as e:  # every failure is part of the comparison
        results.append({"error": type(e).__name__, "message": str(e)})
json.dump(results, sys.stdout, ensure_ascii=False)
