"""阳光食堂: school canteens, their standardisation, 明厨亮灶, 陪餐 and daily self-checks."""
