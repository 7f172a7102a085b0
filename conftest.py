# Fixtures for the real PostgreSQL and RabbitMQ of this machine, shared by every test folder.
pytest_plugins = ["servicekit.testing", "servicekit.testing_servers"]
