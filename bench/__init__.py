"""The benchmark behind `make bench` (`manage.py bench_pages --full`): see full.py and README.md."""
