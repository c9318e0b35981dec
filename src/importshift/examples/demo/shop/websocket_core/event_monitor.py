"""The one true event monitor (consolidated here from events.py)."""


class ChatEventMonitor:
    def __init__(self, name="chat"):
        self.name = name
        self.seen = []

    def emit(self, event):
        self.seen.append(event)
        return len(self.seen)


class EventFilter:
    def __init__(self, kinds):
        self.kinds = set(kinds)
