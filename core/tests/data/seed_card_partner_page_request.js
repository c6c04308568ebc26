    { payment_id: 'X03936', 
      payment_amount: 10000, 
      payment_currency: 'KES', 
      project_id: 250, 
      customer_id: 'customer1',
      customer_phone: '123456789',
      customer_email: 'customer@example.com',
      signature: "kUi2x9dKHAVNU0FYldJrxh4yoASCQ9vyS...wX6R\/ekpZhkIQg=="
    }
