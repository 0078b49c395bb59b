"""What people see on a terminal: results, spinners, progress bars.
The only package that imports rich."""
