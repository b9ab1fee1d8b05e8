"""corskit-webkit: the smallest automation browser the e2e suite needs, on
WebKitGTK's GObject API (gir1.2-webkit2-4.1, python3-gi).

Why not WebKitWebDriver: MiniBrowser --automation runs an ephemeral session
whose console is never printed, and WebDriver has no console command, so the
CORS lines the suite asserts cannot be read that way. Here the web view's
"enable-write-console-messages-to-stdout" setting makes WebKit's web process
print every console message as one line on its standard error, e.g.

    CONSOLE SECURITY ERROR Origin http://127.0.0.1:1 is not allowed by Access-Control-Allow-Origin. Status code: 200

The driver (webkit.go) reads those lines; it runs one page at a time in each
such browser, so every line belongs to the page that is open.

Usage: python3 webkit.py DATA_DIR [PROXY_URL]
  DATA_DIR   a fresh directory: the (non-ephemeral) website data and cache
  PROXY_URL  an HTTP proxy for every request (the driver's loopback proxy,
             which lets test host names such as api.test reach 127.0.0.1)

Commands arrive on standard input, one JSON object a line; each gets one JSON
answer a line on file descriptor 3, with the same "id":
  {"id": 1, "op": "open", "url": U}   a fresh web view, loaded with U
  {"id": 1, "op": "navigate", "url": U}  loads U in the open web view
  {"id": 2, "op": "eval", "body": B}  runs B as the body of an async function
                                      in the page; answers {"value": <string>}
  {"id": 3, "op": "close"}            destroys the web view
A failure answers {"id": N, "error": "..."}. Once ready the browser writes
{"ready": true}. End of input quits.
"""

import json
import os
import sys

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gio, GLib, Gtk, WebKit2  # noqa: E402

data_dir = sys.argv[1]
proxy = sys.argv[2] if len(sys.argv) > 2 else ""
answers = os.fdopen(3, "w", buffering=1)

manager = WebKit2.WebsiteDataManager(
    base_data_directory=os.path.join(data_dir, "data"),
    base_cache_directory=os.path.join(data_dir, "cache"),
)
manager.set_itp_enabled(False)
if proxy:
    manager.set_network_proxy_settings(
        WebKit2.NetworkProxyMode.CUSTOM, WebKit2.NetworkProxySettings.new(proxy, [])
    )
context = WebKit2.WebContext.new_with_website_data_manager(manager)
context.set_cache_model(WebKit2.CacheModel.WEB_BROWSER)
context.set_spell_checking_enabled(False)

current = {}  # "window", "view"


def answer(msg):
    answers.write(json.dumps(msg) + "\n")


def close_view():
    window = current.pop("window", None)
    current.pop("view", None)
    if window is not None:
        window.destroy()


def open_view(cid, url):
    close_view()
    window = Gtk.OffscreenWindow()
    view = WebKit2.WebView(web_context=context)
    settings = view.get_settings()
    settings.set_enable_write_console_messages_to_stdout(True)
    settings.set_hardware_acceleration_policy(WebKit2.HardwareAccelerationPolicy.NEVER)
    settings.set_enable_developer_extras(False)
    window.add(view)
    window.set_default_size(1280, 900)
    window.show_all()
    current["window"], current["view"] = window, view
    navigate(cid, url)


def navigate(cid, url):
    view = current.get("view")
    if view is None:
        answer({"id": cid, "error": "no page open"})
        return
    state = {"answered": False, "handlers": []}

    def done(msg):
        if not state["answered"]:
            state["answered"] = True
            for h in state["handlers"]:
                view.disconnect(h)
            answer(msg)

    def on_load(_view, event):
        if event == WebKit2.LoadEvent.FINISHED:
            done({"id": cid})

    def on_failed(_view, _event, uri, error):
        done({"id": cid, "error": "loading %s: %s" % (uri, error.message)})
        return True

    def on_crash(_view, reason):
        done({"id": cid, "error": "web process terminated: %s" % reason.value_nick})

    state["handlers"] = [
        view.connect("load-changed", on_load),
        view.connect("load-failed", on_failed),
        view.connect("web-process-terminated", on_crash),
    ]
    view.load_uri(url)


def evaluate(cid, body):
    view = current.get("view")
    if view is None:
        answer({"id": cid, "error": "no page open"})
        return
    script = "return JSON.stringify(await (async () => {\n" + body + "\n})() ?? null);"

    def finished(v, result):
        try:
            value = v.call_async_javascript_function_finish(result)
            answer({"id": cid, "value": value.to_string()})
        except GLib.Error as e:
            answer({"id": cid, "error": e.message})

    view.call_async_javascript_function(script, -1, None, None, None, None, finished)


def handle(cmd):
    cid, op = cmd.get("id"), cmd.get("op")
    if op == "open":
        open_view(cid, cmd["url"])
    elif op == "navigate":
        navigate(cid, cmd["url"])
    elif op == "eval":
        evaluate(cid, cmd["body"])
    elif op == "close":
        close_view()
        answer({"id": cid})
    else:
        answer({"id": cid, "error": "unknown op %r" % op})


commands = Gio.DataInputStream.new(Gio.UnixInputStream.new(0, False))


def on_line(stream, result):
    try:
        line, _ = stream.read_line_finish_utf8(result)
    except GLib.Error:
        line = None
    if line is None:
        Gtk.main_quit()
        return
    if line.strip():
        try:
            handle(json.loads(line))
        except Exception as e:  # a bad command must not stop the browser
            answer({"id": None, "error": "bad command: %s" % e})
    stream.read_line_async(GLib.PRIORITY_DEFAULT, None, on_line)


commands.read_line_async(GLib.PRIORITY_DEFAULT, None, on_line)
answer({"ready": True})
Gtk.main()
