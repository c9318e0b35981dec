from setuptools import setup

setup(name="pkg", entry_points={"console_scripts": ["pkg = pkg.commands.cli:main"]})
