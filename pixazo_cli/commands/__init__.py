"""What each command does once its flags are parsed, and the session it runs in."""
