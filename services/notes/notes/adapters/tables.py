from sqlalchemy import MetaData

from servicekit.messaging.tables import messaging_tables

metadata = MetaData()
messaging = messaging_tables(metadata)
