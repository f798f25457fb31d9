"""The manual API: context managers and decorators an app uses to mark its agent steps, and the
conversation scope with its business signals."""
