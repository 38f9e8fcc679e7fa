def pytest_configure(config):
    from django.conf import settings

    # Tests change only settings that make them faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
