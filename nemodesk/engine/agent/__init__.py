"""The chat agent: one message in, one ``ChatPlan`` out — rule-based, English and 中文.

``planner`` reads a message into a plan (``ChatPlan`` with a ``ChatAction``); ``settings``
is the session's current music; ``text`` is the message as the detectors see it; the
detectors are ``shape`` (length, tempo, energy, arc), ``sound`` (instruments, mood, genre,
key), ``mix`` (title, undo, takes, start, fades, volume), ``hits`` (accents on cuts),
``takes`` (choosing a take) and ``voice`` (the clip's own sound); ``apply`` applies the edits
and words the replies; ``params`` are the explicit parameters sent with a message; ``words``
holds the agent's own vocabulary. It may import ``brief`` and ``music``, never ``server``.
"""
