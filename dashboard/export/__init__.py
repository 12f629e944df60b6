"""Export layer: files for download and the command line (`python -m dashboard.export --help`)."""
