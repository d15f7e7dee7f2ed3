"""The NemoVideo API served on 127.0.0.1 by the local engine."""
