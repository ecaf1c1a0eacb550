from django.apps import AppConfig


class PagesConfig(AppConfig):
    """The pages that show data of several apps: each app's selectors return data, and the
    views here put it together. Nothing imports pages, so the apps stay free of cycles."""

    name = "pages"
