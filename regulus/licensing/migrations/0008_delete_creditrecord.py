# Second of the pair (see 0007): the rows now live as credit hand-overs; drop the table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("licensing", "0007_credit_records_to_handovers")]

    operations = [migrations.DeleteModel(name="CreditRecord")]
