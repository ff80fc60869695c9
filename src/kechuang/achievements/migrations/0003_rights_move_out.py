# Results' rights (empowerment, transfers, valuations, exchange listings) move to the `rights` app.
# The rows stay: the tables are renamed to the new app's names here, and the models leave this
# app's state only; rights.0001_initial takes them into its own state without touching the database.

from django.db import migrations

MOVED = ["ExchangeListing", "EmpowermentTransfer", "ValuationWorksheet", "RightsEmpowerment"]


class Migration(migrations.Migration):

    dependencies = [
        ('achievements', '0002_rights'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=name, table=f"rights_{name.lower()}") for name in MOVED
            ],
            state_operations=[migrations.DeleteModel(name=name) for name in MOVED],
        ),
    ]
