EPayWidget.run(
    { payment_id: 'X03936', 
      payment_amount: 500000, 
      payment_currency: 'MYR', 
      project_id: 250, 
      customer_first_name: 'Putra',
      customer_id: 'customer1',
      customer_last_name: 'Cane',
      customer_phone: '60321669552',
      customer_email: 'putra@mail.com',
      signature: "kUi2x9dKHAVNU0FYldJrxh4yo+52Kt8KU+Y1Y4HASCQ9vySO\/RLCvhtT4DqtVUkDJrOcZzUCwX6R\/ekpZhkIQg=="
    }
)
