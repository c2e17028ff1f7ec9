from django.contrib import admin

from regulus.credit import models

admin.site.register(models.CreditRecord)
