"""Helpers shared by the functions through the layer."""
import yaml


def parse(text):
    return yaml.safe_load(text)
